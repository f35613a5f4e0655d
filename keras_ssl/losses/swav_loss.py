"""SwAV: swapped prediction of Sinkhorn-Knopp codes across crops."""

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.backend.collectives import global_mean
from keras_ssl.losses.sinkhorn import sinkhorn
from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_positive_int


def check_score_list(name, scores):
    """Raises unless `scores` is a non-empty list of (b, k) tensors alike."""
    if not isinstance(scores, (list, tuple)) or not scores:
        raise TypeError(
            f"`{name}` must be a non-empty list of (b, k) tensors, one per "
            f"crop. Received: {name}={scores!r}."
        )
    for i, x in enumerate(scores):
        if len(x.shape) != 2 or tuple(x.shape) != tuple(scores[0].shape):
            raise ValueError(
                f"Every entry of `{name}` must have the shape of {name}[0] "
                f"{tuple(scores[0].shape)} (rank 2). Received: "
                f"{name}[{i}].shape={tuple(x.shape)}."
            )


def _check_queue(queue_scores, crop_scores, num_assignment_crops):
    check_score_list("queue_scores", queue_scores)
    if len(queue_scores) < num_assignment_crops:
        raise ValueError(
            f"`queue_scores` needs one entry per assignment crop "
            f"({num_assignment_crops}). Received {len(queue_scores)}."
        )
    if queue_scores[0].shape[-1] != crop_scores[0].shape[-1]:
        raise ValueError(
            "`queue_scores` and `crop_scores` must score the same prototypes. "
            f"Received: queue_scores[0].shape={tuple(queue_scores[0].shape)}, "
            f"crop_scores[0].shape={tuple(crop_scores[0].shape)}."
        )


def _codes(scores, queue, use_queue, epsilon, iterations):
    """Sinkhorn codes of the batch rows, the queue rows joining when used."""
    if queue is None:
        return sinkhorn(scores, epsilon, iterations)
    queue_rows = queue.shape[0]
    flag = 1.0 if use_queue is None else ops.cast(use_queue, "float32")
    mask = ops.concatenate(
        [flag * ops.ones((queue_rows,)), ops.ones_like(scores[:, 0])], axis=0
    )
    joined = ops.concatenate([ops.cast(queue, "float32"), scores], axis=0)
    return sinkhorn(joined, epsilon, iterations, mask)[queue_rows:]


def swav_loss(
    crop_scores,
    temperature=0.1,
    epsilon=0.05,
    sinkhorn_iterations=3,
    num_assignment_crops=2,
    queue_scores=None,
    use_queue=None,
):
    """SwAV loss: each crop predicts the codes of the assignment crops.

    For each assignment crop i (the first `num_assignment_crops`, the global
    crops), the codes `q_i = sinkhorn(scores_i)` (no gradient) are the
    targets of every other crop v: `-sum_k q_i log softmax(scores_v / t)`,
    averaged over the batch, over the other crops (divided by V - 1) and
    over the assignment crops. With a feature queue, each assignment crop's
    queued scores join its Sinkhorn step (more samples to balance over) and
    only the batch rows' codes are kept. Computed in float32.

    Shapes, in einsum letters: each crop score (b, k), cosine similarities
    to the prototypes; each queue score (q, k). Returns a scalar.

    Args:
        crop_scores: list of V >= 2 tensors (b, k). Scores of every crop,
            the assignment crops first.
        temperature: float. Softmax temperature of the predictions.
            Defaults to `0.1`.
        epsilon: float. Sinkhorn regularisation. Defaults to `0.05`.
        sinkhorn_iterations: int. Defaults to `3`.
        num_assignment_crops: int in [1, V]. Defaults to `2`.
        queue_scores: optional list of tensors (q, k), one per assignment
            crop: scores of queued embeddings. Defaults to `None`.
        use_queue: optional boolean scalar (tensor): whether the queue rows
            take part (SwAV uses the queue only once it is full). Defaults
            to `None` (they do).

    Reference:
        Caron et al., Unsupervised Learning of Visual Features by Contrasting
        Cluster Assignments, 2020. https://arxiv.org/abs/2006.09882
    """
    temperature = check_positive_float("temperature", temperature)
    check_score_list("crop_scores", crop_scores)
    num_assignment_crops = check_positive_int(
        "num_assignment_crops", num_assignment_crops
    )
    num_crops = len(crop_scores)
    if num_crops < 2 or num_assignment_crops > num_crops:
        raise ValueError(
            "SwAV needs at least 2 crops and no more assignment crops than "
            f"crops. Received {num_crops} crops and "
            f"num_assignment_crops={num_assignment_crops}."
        )
    if queue_scores is not None:
        _check_queue(queue_scores, crop_scores, num_assignment_crops)
    scores = [ops.cast(s, "float32") for s in crop_scores]
    log_probs = [ops.log_softmax(s / temperature, axis=-1) for s in scores]
    total = 0.0
    for i in range(num_assignment_crops):
        queue = None if queue_scores is None else queue_scores[i]
        codes = _codes(scores[i], queue, use_queue, epsilon, sinkhorn_iterations)
        codes = ops.stop_gradient(codes)
        subloss = 0.0
        for v, log_p in enumerate(log_probs):
            if v != i:
                subloss = subloss + global_mean(-ops.sum(codes * log_p, axis=-1))
        total = total + subloss / (num_crops - 1)
    return total / num_assignment_crops


@keras_ssl_export
class SwAVLoss(keras.losses.Loss):
    """SwAV loss as a `keras.losses.Loss`.

    Called as `loss(crop_scores, queue_scores=None, use_queue=None)`. See
    `keras_ssl.losses.swav_loss`.

    Args:
        temperature: float. Defaults to `0.1`.
        epsilon: float. Defaults to `0.05`.
        sinkhorn_iterations: int. Defaults to `3`.
        num_assignment_crops: int. Defaults to `2`.

    Example:
    ```python
    loss = keras_ssl.losses.SwAVLoss()
    value = loss([scores_1, scores_2, scores_local])
    ```

    Reference:
        Caron et al., 2020. https://arxiv.org/abs/2006.09882
    """

    def __init__(
        self,
        temperature=0.1,
        epsilon=0.05,
        sinkhorn_iterations=3,
        num_assignment_crops=2,
        name="swav_loss",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.temperature = check_positive_float("temperature", temperature)
        self.epsilon = check_positive_float("epsilon", epsilon)
        self.sinkhorn_iterations = check_positive_int(
            "sinkhorn_iterations", sinkhorn_iterations
        )
        self.num_assignment_crops = check_positive_int(
            "num_assignment_crops", num_assignment_crops
        )

    def call(self, crop_scores, queue_scores=None, use_queue=None):
        return swav_loss(
            crop_scores,
            self.temperature,
            self.epsilon,
            self.sinkhorn_iterations,
            self.num_assignment_crops,
            queue_scores,
            use_queue,
        )

    def __call__(self, crop_scores, queue_scores=None, use_queue=None):
        return self.call(crop_scores, queue_scores, use_queue)

    def get_config(self):
        return {
            **super().get_config(),
            "temperature": self.temperature,
            "epsilon": self.epsilon,
            "sinkhorn_iterations": self.sinkhorn_iterations,
            "num_assignment_crops": self.num_assignment_crops,
        }
