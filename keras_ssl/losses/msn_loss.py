"""MSN: anchors match a sharpened target's prototype assignment, plus ME-MAX."""

import math

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.backend.collectives import global_mean
from keras_ssl.losses.common import sum_over_samples
from keras_ssl.losses.sinkhorn import sinkhorn_knopp
from keras_ssl.losses.swav_loss import check_score_list
from keras_ssl.utils.validation import check_non_negative_float
from keras_ssl.utils.validation import check_non_negative_int
from keras_ssl.utils.validation import check_positive_float


def msn_targets(target_scores, target_temperature=0.025, sinkhorn_iterations=3):
    """MSN's targets: sharpened softmax of the target scores, then Sinkhorn.

    `softmax(scores / target_temperature)` (the paper's anchor softmax at
    0.1 sharpened with T = 0.25), balanced by `sinkhorn_iterations` of
    Sinkhorn-Knopp (0: none). No gradient; float32. Shapes: (b, k) -> (b, k).
    """
    scores = ops.stop_gradient(ops.cast(target_scores, "float32"))
    targets = ops.softmax(scores / target_temperature, axis=-1)
    if sinkhorn_iterations > 0:
        targets = sinkhorn_knopp(targets, sinkhorn_iterations)
    return ops.stop_gradient(targets)


def mean_entropy_maximization(probabilities):
    """ME-MAX: `log k - H(mean of probabilities)`, >= 0, float32 scalar.

    The mean is over every sample of every anchor view (through the
    cross-replica hook `sum_over_samples`). 0 when the mean prediction is
    uniform over the k prototypes.
    """
    joined = ops.concatenate(probabilities, axis=0)
    count = sum_over_samples(ops.ones_like(joined[:, 0]))
    mean = sum_over_samples(joined, axis=0) / count
    neg_entropy = ops.sum(mean * ops.log(ops.maximum(mean, 1e-30)))
    return neg_entropy + math.log(float(joined.shape[-1]))


def msn_loss(
    anchor_scores,
    target_scores,
    anchor_temperature=0.1,
    target_temperature=0.025,
    me_max_weight=1.0,
    sinkhorn_iterations=3,
    return_terms=False,
):
    """MSN loss: cross-entropy to the target's assignment, plus ME-MAX.

    Each anchor view's prediction `p = softmax(scores / anchor_temperature)`
    is trained towards the target view's sharpened assignment
    (`msn_targets`, no gradient) of the same image: `-sum_k t log p`,
    averaged over the batch and the anchor views. `me_max_weight` times the
    mean-entropy-maximisation term (`log k - H(mean p)`) keeps the
    prototypes in use. Computed in float32.

    Shapes, in einsum letters: each anchor score (b, k) and the target score
    (b, k), cosine similarities to the prototypes. Returns a scalar, or
    `(loss, {"prediction": ..., "me_max": ...})` with `return_terms`.

    Args:
        anchor_scores: list of tensors (b, k), one per anchor view.
        target_scores: tensor (b, k). Scores of the target view.
        anchor_temperature: float. Defaults to `0.1`.
        target_temperature: float. Defaults to `0.025` (0.1 sharpened by
            T = 0.25).
        me_max_weight: float >= 0. Defaults to `1.0`.
        sinkhorn_iterations: int >= 0. Sinkhorn-Knopp iterations on the
            targets (released code); 0 turns it off. Defaults to `3`.
        return_terms: bool. Also return the unweighted terms. Defaults to
            `False`.

    Reference:
        Assran et al., Masked Siamese Networks for Label-Efficient Learning,
        2022. https://arxiv.org/abs/2204.07141
    """
    anchor_temperature = check_positive_float("anchor_temperature", anchor_temperature)
    target_temperature = check_positive_float("target_temperature", target_temperature)
    me_max_weight = check_non_negative_float("me_max_weight", me_max_weight)
    check_non_negative_int("sinkhorn_iterations", sinkhorn_iterations)
    check_score_list("anchor_scores", anchor_scores)
    check_score_list("target_scores", [target_scores])
    if tuple(target_scores.shape) != tuple(anchor_scores[0].shape):
        raise ValueError(
            "`target_scores` must have the shape of each anchor score. "
            f"Received: target_scores.shape={tuple(target_scores.shape)}, "
            f"anchor_scores[0].shape={tuple(anchor_scores[0].shape)}."
        )
    targets = msn_targets(target_scores, target_temperature, sinkhorn_iterations)
    log_probs = [
        ops.log_softmax(ops.cast(a, "float32") / anchor_temperature, axis=-1)
        for a in anchor_scores
    ]
    prediction = 0.0
    for log_p in log_probs:
        prediction = prediction + global_mean(-ops.sum(targets * log_p, axis=-1))
    prediction = prediction / len(log_probs)
    me_max = mean_entropy_maximization([ops.exp(log_p) for log_p in log_probs])
    loss = prediction + me_max_weight * me_max
    if return_terms:
        return loss, {"prediction": prediction, "me_max": me_max}
    return loss


@keras_ssl_export
class MSNLoss(keras.losses.Loss):
    """MSN loss as a `keras.losses.Loss`.

    Called as `loss(anchor_scores, target_scores)`. See
    `keras_ssl.losses.msn_loss`.

    Args:
        anchor_temperature: float. Defaults to `0.1`.
        target_temperature: float. Defaults to `0.025`.
        me_max_weight: float >= 0. Defaults to `1.0`.
        sinkhorn_iterations: int >= 0. Defaults to `3`.

    Example:
    ```python
    loss = keras_ssl.losses.MSNLoss()
    value = loss([anchor_scores_1, anchor_scores_2], target_scores)
    ```

    Reference:
        Assran et al., 2022. https://arxiv.org/abs/2204.07141
    """

    def __init__(
        self,
        anchor_temperature=0.1,
        target_temperature=0.025,
        me_max_weight=1.0,
        sinkhorn_iterations=3,
        name="msn_loss",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.anchor_temperature = check_positive_float(
            "anchor_temperature", anchor_temperature
        )
        self.target_temperature = check_positive_float(
            "target_temperature", target_temperature
        )
        self.me_max_weight = check_non_negative_float("me_max_weight", me_max_weight)
        self.sinkhorn_iterations = check_non_negative_int(
            "sinkhorn_iterations", sinkhorn_iterations
        )

    def call(self, anchor_scores, target_scores):
        return msn_loss(
            anchor_scores,
            target_scores,
            self.anchor_temperature,
            self.target_temperature,
            self.me_max_weight,
            self.sinkhorn_iterations,
        )

    def __call__(self, anchor_scores, target_scores):
        return self.call(anchor_scores, target_scores)

    def get_config(self):
        return {
            **super().get_config(),
            "anchor_temperature": self.anchor_temperature,
            "target_temperature": self.target_temperature,
            "me_max_weight": self.me_max_weight,
            "sinkhorn_iterations": self.sinkhorn_iterations,
        }
