"""DCL: NT-Xent without the positive pair in the denominator."""

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.backend.collectives import global_mean
from keras_ssl.losses.common import check_embedding_pair
from keras_ssl.losses.common import l2_normalize
from keras_ssl.losses.common import two_view_logits
from keras_ssl.utils.validation import check_positive_float

_LARGE_NUM = 1e9


def dcl_loss(z_a, z_b, temperature=0.1, weight_fn=None):
    """Decoupled contrastive loss, averaged over 2b anchors, in float32.

    Each of the 2b embeddings is an anchor; its positive is the other view of
    the same image. The loss of anchor i is
    `-w_i * cos(z_i, z_i+) / t + log sum_{j != i, i+} exp(cos(z_i, z_j) / t)`:
    NT-Xent with the positive taken out of the denominator, which removes the
    negative-positive coupling that makes NT-Xent need large batches. The
    2b - 2 negatives are every other embedding of both views (on several
    replicas, of the global batch, gathered; the loss is then the mean over
    the global batch's anchors). `w_i` is 1 (DCL) or the per-pair weight
    `weight_fn(z_a, z_b)` (DCLW: see `dclw_loss`). The loss is symmetric in
    `z_a` and `z_b`, and can be negative.

    Shapes, in einsum letters: `z_a`, `z_b`: (b, d); `weight_fn` returns
    (b,). Returns a scalar.

    Args:
        z_a: tensor (b, d). Embeddings of the first view.
        z_b: tensor (b, d). Embeddings of the second view.
        temperature: float. Softmax temperature, > 0. Defaults to `0.1`.
        weight_fn: optional callable `(z_a, z_b) -> (b,)` weights of the
            positive terms, shared by the two anchors of a pair. Defaults to
            `None` (weight 1).

    Reference:
        Yeh et al., Decoupled Contrastive Learning, 2021.
        https://arxiv.org/abs/2110.06848
    """
    temperature = check_positive_float("temperature", temperature)
    if weight_fn is not None and not callable(weight_fn):
        raise TypeError(
            "`weight_fn` must be a callable (z_a, z_b) -> weights of shape "
            f"(batch,), or None. Received: weight_fn={weight_fn!r}."
        )
    check_embedding_pair(z_a, z_b)
    if z_a.shape[0] == 1:
        raise ValueError(
            "DCL needs at least 2 images per batch: with batch size 1 there "
            "are no negatives and the denominator is empty. Received: "
            f"z_a.shape={tuple(z_a.shape)}."
        )
    a, b = l2_normalize(z_a), l2_normalize(z_b)
    positive = ops.sum(a * b, axis=1) / temperature
    if weight_fn is not None:
        positive = positive * _checked_weights(weight_fn(z_a, z_b), z_a)
    logits, own, partner = two_view_logits(a, b, temperature)
    # Neither the anchor itself nor its positive is in the denominator.
    count = ops.shape(logits)[1]
    excluded = ops.one_hot(own, count, dtype="float32") + ops.one_hot(
        partner, count, dtype="float32"
    )
    negative = ops.logsumexp(logits - _LARGE_NUM * excluded, axis=1)
    positive = ops.concatenate([positive, positive], axis=0)
    return global_mean(negative - positive)


def _checked_weights(weights, z_a):
    weights = ops.cast(weights, "float32")
    if len(weights.shape) != 1 or (
        weights.shape[0] is not None
        and z_a.shape[0] is not None
        and weights.shape[0] != z_a.shape[0]
    ):
        raise ValueError(
            "`weight_fn` must return one weight per pair, shape (batch,) = "
            f"({z_a.shape[0]},). Received weights of shape "
            f"{tuple(weights.shape)}."
        )
    return weights


@keras_ssl_export
class DCLLoss(keras.losses.Loss):
    """Decoupled contrastive loss (DCL) as a `keras.losses.Loss`.

    Called as `loss(z_a, z_b)`: the two views' embeddings take the places of
    `y_true` and `y_pred`. See `keras_ssl.losses.dcl_loss`.

    Args:
        temperature: float. Softmax temperature, > 0. Defaults to `0.1`.

    Example:
    ```python
    loss = keras_ssl.losses.DCLLoss(temperature=0.1)
    value = loss(z_a, z_b)
    ```

    Reference:
        Yeh et al., 2021. https://arxiv.org/abs/2110.06848
    """

    def __init__(self, temperature=0.1, name="dcl_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.temperature = check_positive_float("temperature", temperature)

    def call(self, z_a, z_b):
        return dcl_loss(z_a, z_b, temperature=self.temperature)

    def __call__(self, z_a, z_b, sample_weight=None):
        if sample_weight is not None:
            raise ValueError(
                f"{type(self).__name__} does not take `sample_weight`: every "
                "pair is a negative for the others. Received: "
                f"{sample_weight!r}."
            )
        return self.call(z_a, z_b)

    def get_config(self):
        return {**super().get_config(), "temperature": self.temperature}
