"""Negative cosine similarity: the regression loss of BYOL and SimSiam."""

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.backend.collectives import global_mean
from keras_ssl.losses.common import check_embedding_pair
from keras_ssl.losses.common import l2_normalize


def negative_cosine_similarity(prediction, target):
    """Mean over the batch of -cos(prediction_i, target_i), in float32.

    On several replicas, the mean over the global batch.

    Ranges from -1 (aligned) to 1 (opposite). The target is not detached here:
    methods pass `ops.stop_gradient(target)` themselves where the paper does.
    BYOL's normalised squared error equals `2 + 2 * negative_cosine_similarity`.

    Shapes, in einsum letters: `prediction`, `target`: (b, d). Returns a scalar.

    Args:
        prediction: tensor (b, d). Predictor outputs (online branch).
        target: tensor (b, d). Target projections.

    Reference:
        Grill et al., Bootstrap Your Own Latent, 2020.
        https://arxiv.org/abs/2006.07733
    """
    check_embedding_pair(prediction, target, names=("prediction", "target"))
    cosine = ops.sum(l2_normalize(prediction) * l2_normalize(target), axis=1)
    return -global_mean(cosine)


@keras_ssl_export
class NegativeCosineSimilarity(keras.losses.Loss):
    """Negative cosine similarity as a `keras.losses.Loss`.

    Called as `loss(prediction, target)`. See
    `keras_ssl.losses.negative_cosine_similarity`.

    Example:
    ```python
    loss = keras_ssl.losses.NegativeCosineSimilarity()
    value = loss(p, keras.ops.stop_gradient(z))
    ```

    Reference:
        Grill et al., 2020. https://arxiv.org/abs/2006.07733
    """

    def __init__(self, name="negative_cosine_similarity", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, prediction, target):
        return negative_cosine_similarity(prediction, target)

    def __call__(self, prediction, target, sample_weight=None):
        if sample_weight is not None:
            raise ValueError(
                "NegativeCosineSimilarity does not take `sample_weight`. "
                f"Received: {sample_weight!r}."
            )
        return self.call(prediction, target)
