"""NNCLR: the positive is the nearest neighbour in a support set of projections."""

from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl import augmentations
from keras_ssl.layers.memory_queue import MemoryQueue
from keras_ssl.layers.projection_head import ProjectionHead
from keras_ssl.losses.common import l2_normalize
from keras_ssl.losses.info_nce import info_nce
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_positive_int
from keras_ssl.utils.validation import check_rank


def nearest_neighbours(embeddings, support):
    """Rows of `support` with the highest cosine similarity to each embedding.

    The look-up is not differentiable (an arg-max): both inputs are
    stop-gradient, and the result is a copy of support rows, in float32.

    Shapes, in einsum letters: `embeddings`: (b, d); `support`: (k, d).
    Returns (b, d).

    Args:
        embeddings: tensor (b, d). The vectors to look up.
        support: tensor (k, d). The support set.
    """
    check_rank("embeddings", embeddings, 2)
    check_rank("support", support, 2)
    if embeddings.shape[-1] != support.shape[-1]:
        raise ValueError(
            "`embeddings` and `support` must have the same width. Received: "
            f"embeddings.shape={tuple(embeddings.shape)}, "
            f"support.shape={tuple(support.shape)}."
        )
    support = ops.stop_gradient(ops.cast(support, "float32"))
    query = ops.stop_gradient(l2_normalize(embeddings))
    similarity = ops.einsum("nd,kd->nk", query, l2_normalize(support))
    return ops.take(support, ops.argmax(similarity, axis=1), axis=0)


@keras_ssl_export
class NNCLR(SSLModel):
    """NNCLR: contrast each view's nearest neighbour with the other's prediction.

    Both views go through the encoder, a projector (z) and a predictor (p).
    Each projection is replaced by its nearest neighbour (cosine) in a
    support set, a queue of projections of earlier batches; the neighbour is
    the anchor and the other view's prediction its positive, with the other
    predictions of the batch as negatives. The neighbour is a support row
    and gets no gradient. Per direction, `S = NN(z_1) p_2^T / t` is scored
    with a cross-entropy over its rows and one over its columns (the paper's
    symmetric term); the loss is the mean of the four cross-entropies of
    both directions. After the loss, the batch's L2-normalised first-view
    projections (stop-gradient) are enqueued.

    Paper defaults: support set of 98304, temperature 0.1, projector of 3
    layers (2048, 2048, 256) with BatchNorm on every layer (output
    included), predictor 4096 -> 256 (BatchNorm on the hidden layer), the
    BYOL augmentations; the paper trains with LARS, batch 4096. The support
    set starts as L2-normalised noise, like the MoCo queue; it must hold at
    least one batch.

    Args:
        encoder: keras.Model. Maps images to features.
        augmenter: optional layer mapping images to 2 views. Defaults to
            `None` (`keras_ssl.augmentations.byol_augmentation`).
        temperature: float. Softmax temperature, > 0. Defaults to `0.1`.
        queue_size: int. Size of the support set. Defaults to `98304`.
        projection_hidden_dim: int. Width of the projector's two hidden
            layers. Defaults to `2048`.
        projection_dim: int. Output width of projector and predictor.
            Defaults to `256`.
        prediction_hidden_dim: int. Hidden width of the predictor. Defaults
            to `4096`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    model = keras_ssl.methods.NNCLR(encoder, queue_size=4096)
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    model.fit(images, epochs=100, batch_size=256)
    ```

    Reference:
        Dwibedi et al., With a Little Help from My Friends: Nearest-Neighbor
        Contrastive Learning of Visual Representations, 2021.
        https://arxiv.org/abs/2104.14548
    """

    def __init__(
        self,
        encoder,
        augmenter=None,
        temperature=0.1,
        queue_size=98304,
        projection_hidden_dim=2048,
        projection_dim=256,
        prediction_hidden_dim=4096,
        **kwargs,
    ):
        super().__init__(encoder, augmenter=augmenter, **kwargs)
        self.temperature = check_positive_float("temperature", temperature)
        self.queue_size = check_positive_int("queue_size", queue_size)
        self.projection_hidden_dim = check_positive_int(
            "projection_hidden_dim", projection_hidden_dim
        )
        self.projection_dim = check_positive_int("projection_dim", projection_dim)
        self.prediction_hidden_dim = check_positive_int(
            "prediction_hidden_dim", prediction_hidden_dim
        )
        self.projection_head = ProjectionHead(
            [projection_hidden_dim, projection_hidden_dim],
            projection_dim,
            output_batch_norm=True,
            name="projection_head",
        )
        self.projection_head.build((None, self.feature_dim))
        self.prediction_head = ProjectionHead(
            [prediction_hidden_dim], projection_dim, name="prediction_head"
        )
        self.prediction_head.build((None, projection_dim))
        self.queue = MemoryQueue(queue_size, projection_dim, name="queue")

    def default_augmenter(self, image_shape):
        return augmentations.byol_augmentation(
            image_size=image_shape[0], channels=image_shape[-1]
        )

    def _contrast(self, neighbours, predictions):
        # Rows: each neighbour against the batch's predictions; columns:
        # each prediction against the batch's neighbours.
        return (
            info_nce(neighbours, predictions, self.temperature)
            + info_nce(predictions, neighbours, self.temperature)
        ) / 2.0

    def compute_ssl_loss(self, views, training=False):
        batch = ops.shape(views[0])[0]
        # The support set as it was before this batch; copied so that the
        # in-place write below cannot alias it.
        support = ops.stop_gradient(ops.copy(self.queue.keys))
        features = self.encoder(ops.concatenate(views, axis=0), training=training)
        z = self.projection_head(features, training=training)
        p = self.prediction_head(z, training=training)
        z_1, z_2 = z[:batch], z[batch:]
        neighbours_1 = nearest_neighbours(z_1, support)
        neighbours_2 = nearest_neighbours(z_2, support)
        loss = (
            self._contrast(neighbours_1, p[batch:])
            + self._contrast(neighbours_2, p[:batch])
        ) / 2.0
        if training:
            self.queue.enqueue(l2_normalize(ops.stop_gradient(z_1)))
        return loss, {"features": features[:batch], "embeddings": z_1}

    def get_config(self):
        return {
            **super().get_config(),
            "temperature": self.temperature,
            "queue_size": self.queue_size,
            "projection_hidden_dim": self.projection_hidden_dim,
            "projection_dim": self.projection_dim,
            "prediction_hidden_dim": self.prediction_hidden_dim,
        }
