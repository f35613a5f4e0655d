"""NT-Xent: the contrastive loss of SimCLR, with in-batch negatives."""

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.losses.common import check_embedding_pair
from keras_ssl.losses.common import cross_entropy_with_index
from keras_ssl.losses.common import l2_normalize
from keras_ssl.losses.common import two_view_logits
from keras_ssl.utils.validation import check_positive_float

_LARGE_NUM = 1e9


def ntxent(z_a, z_b, temperature=0.1):
    """NT-Xent loss of SimCLR with in-batch negatives, averaged over 2b anchors.

    Each of the 2b embeddings is an anchor; its positive is the other view of
    the same image and its 2b - 2 negatives are every other embedding of both
    views. Embeddings are L2-normalised and the logits computed in float32.
    The loss is symmetric in `z_a` and `z_b`. On several replicas the
    negatives are the embeddings of the global batch (gathered), and the
    loss is the mean over the global batch's anchors.

    Shapes, in einsum letters: `z_a`, `z_b`: (b, d). Returns a scalar.

    Args:
        z_a: tensor (b, d). Embeddings of the first view.
        z_b: tensor (b, d). Embeddings of the second view.
        temperature: float. Softmax temperature, > 0. Defaults to `0.1`.

    Reference:
        Chen et al., A Simple Framework for Contrastive Learning of Visual
        Representations, 2020. https://arxiv.org/abs/2002.05709
    """
    temperature = check_positive_float("temperature", temperature)
    check_embedding_pair(z_a, z_b)
    if z_a.shape[0] == 1:
        raise ValueError(
            "NT-Xent needs at least 2 images per batch: with batch size 1 "
            "there are no negatives and the loss would be a constant 0. "
            f"Received: z_a.shape={tuple(z_a.shape)}."
        )
    logits, own, positive = two_view_logits(
        l2_normalize(z_a), l2_normalize(z_b), temperature
    )
    # An embedding is never its own negative: mask it out.
    count = ops.shape(logits)[1]
    logits = logits - _LARGE_NUM * ops.one_hot(own, count, dtype="float32")
    return cross_entropy_with_index(logits, positive)


@keras_ssl_export
class NTXent(keras.losses.Loss):
    """NT-Xent contrastive loss (SimCLR) as a `keras.losses.Loss`.

    Called as `loss(z_a, z_b)`: the two views' embeddings take the places of
    `y_true` and `y_pred`. See `keras_ssl.losses.ntxent`.

    Args:
        temperature: float. Softmax temperature, > 0. Defaults to `0.1`.

    Example:
    ```python
    loss = keras_ssl.losses.NTXent(temperature=0.5)
    value = loss(z_a, z_b)
    ```

    Reference:
        Chen et al., 2020. https://arxiv.org/abs/2002.05709
    """

    def __init__(self, temperature=0.1, name="ntxent", **kwargs):
        super().__init__(name=name, **kwargs)
        self.temperature = check_positive_float("temperature", temperature)

    def call(self, z_a, z_b):
        return ntxent(z_a, z_b, temperature=self.temperature)

    def __call__(self, z_a, z_b, sample_weight=None):
        if sample_weight is not None:
            raise ValueError(
                "NTXent does not take `sample_weight`: every pair is a "
                f"positive for the others. Received: {sample_weight!r}."
            )
        return self.call(z_a, z_b)

    def get_config(self):
        return {**super().get_config(), "temperature": self.temperature}
