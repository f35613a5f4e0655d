"""MoCo v3: in-batch InfoNCE between a predictor and a momentum encoder."""

from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl import augmentations
from keras_ssl.layers.projection_head import ProjectionHead
from keras_ssl.losses.info_nce import info_nce
from keras_ssl.methods.momentum_target import momentum_copy
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_positive_int


@keras_ssl_export
class MoCoV3(SSLModel):
    """MoCo v3: queries from a predictor, keys from a momentum encoder, no queue.

    The online branch (encoder, projector, predictor) turns each view into a
    query; the momentum branch (EMA copies of encoder and projector) turns
    each view into a key. The negatives are the other keys of the batch, so
    there is no queue. The loss is symmetric,
    `ctr(q_1, k_2) + ctr(q_2, k_1)`, with `ctr` the in-batch InfoNCE scaled
    by `2 * temperature` as in the paper's pseudocode (which makes the
    gradient scale independent of the temperature). Each view goes through
    the networks on its own, so BatchNorm statistics are per view as in the
    paper's pseudocode.

    Paper defaults: projector of 3 layers (4096, 4096, 256) and predictor of
    2 layers (4096, 256), BatchNorm on every layer of both, output included;
    momentum 0.99 increased to 1 with a cosine schedule; the BYOL
    augmentations. The temperature defaults to `1.0`, the authors' setting
    for ResNet-50 (the `--moco-t` default of their code): keras_ssl's encoders
    are convolutional. The paper uses `0.2` for ViTs, and 0.2 also works well
    for small convnets on CIFAR-scale data. The paper trains ResNet-50 with
    LARS and batch 4096 (base momentum 0.996 for its longest schedule).

    Args:
        encoder: keras.Model. Maps images to features.
        augmenter: optional layer mapping images to 2 views. Defaults to
            `None` (`keras_ssl.augmentations.byol_augmentation`).
        temperature: float. InfoNCE temperature, > 0. Defaults to `1.0`.
        projection_hidden_dim: int. Width of the projector's two hidden
            layers. Defaults to `4096`.
        projection_dim: int. Output width of projector and predictor.
            Defaults to `256`.
        prediction_hidden_dim: int. Hidden width of the predictor. Defaults
            to `4096`.
        base_momentum: float. EMA momentum at step 0. Defaults to `0.99`.
        momentum_schedule: "cosine" (paper) or "constant". Defaults to
            `"cosine"`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    model = keras_ssl.methods.MoCoV3(encoder, temperature=0.2,
                                     projection_hidden_dim=1024)
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    model.fit(images, epochs=100, batch_size=256)
    ```

    Reference:
        Chen, Xie and He, An Empirical Study of Training Self-Supervised
        Vision Transformers, 2021. https://arxiv.org/abs/2104.02057
    """

    def __init__(
        self,
        encoder,
        augmenter=None,
        temperature=1.0,
        projection_hidden_dim=4096,
        projection_dim=256,
        prediction_hidden_dim=4096,
        base_momentum=0.99,
        momentum_schedule="cosine",
        **kwargs,
    ):
        super().__init__(
            encoder,
            augmenter=augmenter,
            base_momentum=base_momentum,
            momentum_schedule=momentum_schedule,
            **kwargs,
        )
        self.temperature = check_positive_float("temperature", temperature)
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
            [prediction_hidden_dim],
            projection_dim,
            output_batch_norm=True,
            name="prediction_head",
        )
        self.prediction_head.build((None, projection_dim))
        self.target_encoder = momentum_copy(self.encoder, "target_encoder")
        self.target_projection_head = momentum_copy(
            self.projection_head,
            "target_projection_head",
            input_shape=(None, self.feature_dim),
        )

    def default_augmenter(self, image_shape):
        return augmentations.byol_augmentation(
            image_size=image_shape[0], channels=image_shape[-1]
        )

    @property
    def momentum_pairs(self):
        return [
            (self.encoder, self.target_encoder),
            (self.projection_head, self.target_projection_head),
        ]

    def _query(self, view, training):
        features = self.encoder(view, training=training)
        z = self.projection_head(features, training=training)
        return features, z, self.prediction_head(z, training=training)

    def _key(self, view, training):
        features = self.target_encoder(view, training=training)
        key = self.target_projection_head(features, training=training)
        return ops.stop_gradient(key)

    def _contrast(self, query, key):
        # The paper's ctr(q, k): 2 * t * InfoNCE(q, k) with in-batch keys.
        return 2.0 * self.temperature * info_nce(query, key, self.temperature)

    def compute_ssl_loss(self, views, training=False):
        features, z_1, q_1 = self._query(views[0], training)
        _, _, q_2 = self._query(views[1], training)
        k_1 = self._key(views[0], training)
        k_2 = self._key(views[1], training)
        loss = self._contrast(q_1, k_2) + self._contrast(q_2, k_1)
        return loss, {"features": features, "embeddings": z_1}

    def get_config(self):
        return {
            **super().get_config(),
            "temperature": self.temperature,
            "projection_hidden_dim": self.projection_hidden_dim,
            "projection_dim": self.projection_dim,
            "prediction_hidden_dim": self.prediction_hidden_dim,
        }
