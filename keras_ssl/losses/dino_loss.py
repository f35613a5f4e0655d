"""DINO: cross-entropy between a centred, sharpened teacher and the student."""

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.backend.collectives import global_mean
from keras_ssl.utils.validation import check_positive_float


def _check_outputs(name, outputs):
    if not isinstance(outputs, (list, tuple)) or not outputs:
        raise TypeError(
            f"`{name}` must be a non-empty list of (b, k) tensors, one per "
            f"crop. Received: {name}={outputs!r}."
        )
    for i, x in enumerate(outputs):
        if len(x.shape) != 2 or tuple(x.shape) != tuple(outputs[0].shape):
            raise ValueError(
                f"Every entry of `{name}` must have the shape of "
                f"{name}[0] {tuple(outputs[0].shape)} (rank 2). Received: "
                f"{name}[{i}].shape={tuple(x.shape)}."
            )


def dino_loss(
    student_outputs,
    teacher_outputs,
    center,
    student_temperature=0.1,
    teacher_temperature=0.04,
):
    """DINO loss over all (teacher crop, student crop) pairs of different crops.

    The teacher's distribution of crop i is `softmax((t_i - center) / t_t)`
    (centred and sharpened, no gradient); the student's of crop j is
    `softmax(s_j / t_s)`. The loss is the cross-entropy `-sum p_t log p_s`,
    averaged over the batch (the global batch on several replicas) and over
    every pair with i != j. Teacher crops are the first
    `len(teacher_outputs)` student crops (the global ones). Computed in
    float32.

    Shapes, in einsum letters: each student / teacher output (b, k);
    `center` (1, k) or (k,). Returns a scalar.

    Args:
        student_outputs: list of tensors (b, k). Student head outputs, global
            crops first, then local crops.
        teacher_outputs: list of tensors (b, k). Teacher head outputs of the
            global crops.
        center: tensor (1, k). The running centre of the teacher outputs.
        student_temperature: float. Defaults to `0.1`.
        teacher_temperature: float or scalar tensor. Defaults to `0.04`.

    Reference:
        Caron et al., Emerging Properties in Self-Supervised Vision
        Transformers, 2021. https://arxiv.org/abs/2104.14294
    """
    student_temperature = check_positive_float(
        "student_temperature", student_temperature
    )
    if isinstance(teacher_temperature, (int, float)):
        check_positive_float("teacher_temperature", teacher_temperature)
    _check_outputs("student_outputs", student_outputs)
    _check_outputs("teacher_outputs", teacher_outputs)
    if len(student_outputs) < 2 or len(teacher_outputs) > len(student_outputs):
        raise ValueError(
            "DINO needs at least 2 student crops and no more teacher crops "
            f"than student crops. Received {len(student_outputs)} student "
            f"and {len(teacher_outputs)} teacher crops."
        )
    center = ops.reshape(ops.cast(center, "float32"), (1, -1))
    teacher_probs = [
        ops.softmax(
            (ops.stop_gradient(ops.cast(t, "float32")) - center)
            / teacher_temperature,
            axis=-1,
        )
        for t in teacher_outputs
    ]
    student_log_probs = [
        ops.log_softmax(ops.cast(s, "float32") / student_temperature, axis=-1)
        for s in student_outputs
    ]
    total, pairs = 0.0, 0
    for i, p_t in enumerate(teacher_probs):
        for j, log_p_s in enumerate(student_log_probs):
            if i == j:
                continue
            total = total + global_mean(-ops.sum(p_t * log_p_s, axis=-1))
            pairs += 1
    return total / pairs


@keras_ssl_export
class DINOLoss(keras.losses.Loss):
    """DINO loss as a `keras.losses.Loss`.

    Called as `loss(student_outputs, teacher_outputs, center)`. See
    `keras_ssl.losses.dino_loss`.

    Args:
        student_temperature: float. Defaults to `0.1`.
        teacher_temperature: float. Defaults to `0.04`.

    Example:
    ```python
    loss = keras_ssl.losses.DINOLoss()
    value = loss([s1, s2, s3], [t1, t2], center)
    ```

    Reference:
        Caron et al., 2021. https://arxiv.org/abs/2104.14294
    """

    def __init__(
        self,
        student_temperature=0.1,
        teacher_temperature=0.04,
        name="dino_loss",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.student_temperature = check_positive_float(
            "student_temperature", student_temperature
        )
        self.teacher_temperature = check_positive_float(
            "teacher_temperature", teacher_temperature
        )

    def call(self, student_outputs, teacher_outputs, center):
        return dino_loss(
            student_outputs,
            teacher_outputs,
            center,
            self.student_temperature,
            self.teacher_temperature,
        )

    def __call__(self, student_outputs, teacher_outputs, center):
        return self.call(student_outputs, teacher_outputs, center)

    def get_config(self):
        return {
            **super().get_config(),
            "student_temperature": self.student_temperature,
            "teacher_temperature": self.teacher_temperature,
        }
