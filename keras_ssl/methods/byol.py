"""BYOL: predict a momentum target's projection of the other view."""

from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl import augmentations
from keras_ssl.layers.byol_prediction_head import BYOLPredictionHead
from keras_ssl.layers.byol_projection_head import BYOLProjectionHead
from keras_ssl.losses.negative_cosine_similarity import (
    negative_cosine_similarity,
)
from keras_ssl.methods.momentum_target import momentum_copy
from keras_ssl.methods.ssl_model import SSLModel


@keras_ssl_export
class BYOL(SSLModel):
    """BYOL: an online network predicts a slow-moving target's projection.

    The online branch (encoder, projector, predictor) predicts the target
    branch's projection of the other view; the target (encoder and projector)
    is an exponential moving average of the online weights and gets no
    gradient. Loss per direction: `2 - 2 cos(p, z')`, summed over the two
    directions. Paper defaults: projector and predictor MLPs 4096 -> 256
    with BatchNorm, base momentum 0.996 increased to 1 with a cosine
    schedule, the BYOL (asymmetric) augmentations; the paper trains with
    LARS, lr 0.2 x batch/256, batch 4096.

    Args:
        encoder: keras.Model. Maps images to features.
        augmenter: optional layer mapping images to 2 views. Defaults to
            `None` (`keras_ssl.augmentations.byol_augmentation`).
        projection_hidden_dim: int. Hidden width of projector and predictor.
            Defaults to `4096`.
        projection_dim: int. Output width of projector and predictor.
            Defaults to `256`.
        base_momentum: float. Target EMA momentum at step 0. Defaults to
            `0.996`.
        momentum_schedule: "cosine" or "constant". Defaults to `"cosine"`.
        use_predictor: bool. `False` drops the predictor (the online
            projection is compared with the target's), the paper's ablation
            (Table 5), which collapses. Defaults to `True`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    model = keras_ssl.methods.BYOL(encoder)
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    model.fit(images, epochs=100, batch_size=256)
    ```

    Reference:
        Grill et al., Bootstrap Your Own Latent: A New Approach to
        Self-Supervised Learning, 2020. https://arxiv.org/abs/2006.07733
    """

    def __init__(
        self,
        encoder,
        augmenter=None,
        projection_hidden_dim=4096,
        projection_dim=256,
        base_momentum=0.996,
        momentum_schedule="cosine",
        use_predictor=True,
        **kwargs,
    ):
        super().__init__(
            encoder,
            augmenter=augmenter,
            base_momentum=base_momentum,
            momentum_schedule=momentum_schedule,
            **kwargs,
        )
        self.projection_hidden_dim = projection_hidden_dim
        self.projection_dim = projection_dim
        self.projection_head = BYOLProjectionHead(
            projection_hidden_dim, projection_dim, name="projection_head"
        )
        self.projection_head.build((None, self.feature_dim))
        self.use_predictor = bool(use_predictor)
        self.prediction_head = None
        if self.use_predictor:
            self.prediction_head = BYOLPredictionHead(
                projection_hidden_dim, projection_dim, name="prediction_head"
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

    def compute_ssl_loss(self, views, training=False):
        batch = ops.shape(views[0])[0]
        images = ops.concatenate(views, axis=0)
        features = self.encoder(images, training=training)
        z = self.projection_head(features, training=training)
        p = z
        if self.use_predictor:
            p = self.prediction_head(z, training=training)
        target = self.target_projection_head(
            self.target_encoder(images, training=training), training=training
        )
        target = ops.stop_gradient(target)
        loss = (2.0 + 2.0 * negative_cosine_similarity(p[:batch], target[batch:])) + (
            2.0 + 2.0 * negative_cosine_similarity(p[batch:], target[:batch])
        )
        return loss, {"features": features[:batch], "embeddings": z[:batch]}

    def get_config(self):
        return {
            **super().get_config(),
            "projection_hidden_dim": self.projection_hidden_dim,
            "projection_dim": self.projection_dim,
            "use_predictor": self.use_predictor,
        }
