"""Barlow Twins: redundancy reduction between the embeddings of two views."""

from keras_ssl.api_export import keras_ssl_export
from keras_ssl import augmentations
from keras_ssl.layers.projection_head import ProjectionHead
from keras_ssl.losses.barlow_twins_loss import barlow_twins_loss
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_positive_int


@keras_ssl_export
class BarlowTwins(SSLModel):
    """Barlow Twins: the cross-correlation of two views' embeddings -> identity.

    Each view goes through the encoder and a projector on its own (so
    BatchNorm statistics are per view, as in the authors' code); the loss
    makes the standardised embeddings of the two views agree dimension by
    dimension (diagonal of the cross-correlation to 1) and decorrelates the
    dimensions (off-diagonal to 0, weighted by `lambda_`). No negatives, no
    momentum encoder, no predictor. Paper defaults: projector of 3 layers of
    8192 (BN and ReLU after the first two), lambda 5e-3, the BYOL
    augmentations; the paper trains with LARS, batch 2048, lr 0.2 (weights)
    and 0.0048 (biases and BN), 1000 epochs.

    Args:
        encoder: keras.Model. Maps images to features.
        augmenter: optional layer mapping images to 2 views. Defaults to
            `None` (`keras_ssl.augmentations.byol_augmentation`).
        lambda_: float. Weight of the redundancy-reduction term, > 0.
            Defaults to `5e-3`.
        projection_hidden_dim: int. Width of the projector's two hidden
            layers. Defaults to `8192`.
        projection_dim: int. Output width of the projector. Defaults to
            `8192`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    model = keras_ssl.methods.BarlowTwins(encoder, projection_hidden_dim=2048,
                                          projection_dim=2048)
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    model.fit(images, epochs=100, batch_size=256)
    ```

    Reference:
        Zbontar et al., Barlow Twins: Self-Supervised Learning via Redundancy
        Reduction, 2021. https://arxiv.org/abs/2103.03230
    """

    def __init__(
        self,
        encoder,
        augmenter=None,
        lambda_=5e-3,
        projection_hidden_dim=8192,
        projection_dim=8192,
        **kwargs,
    ):
        super().__init__(encoder, augmenter=augmenter, **kwargs)
        self.lambda_ = check_positive_float("lambda_", lambda_)
        self.projection_hidden_dim = check_positive_int(
            "projection_hidden_dim", projection_hidden_dim
        )
        self.projection_dim = check_positive_int("projection_dim", projection_dim)
        self.projection_head = ProjectionHead(
            [projection_hidden_dim, projection_hidden_dim],
            projection_dim,
            name="projection_head",
        )
        self.projection_head.build((None, self.feature_dim))

    def default_augmenter(self, image_shape):
        return augmentations.byol_augmentation(
            image_size=image_shape[0], channels=image_shape[-1]
        )

    def compute_ssl_loss(self, views, training=False):
        features = [self.encoder(v, training=training) for v in views]
        z = [self.projection_head(f, training=training) for f in features]
        loss = barlow_twins_loss(z[0], z[1], lambda_=self.lambda_)
        return loss, {"features": features[0], "embeddings": z[0]}

    def get_config(self):
        return {
            **super().get_config(),
            "lambda_": self.lambda_,
            "projection_hidden_dim": self.projection_hidden_dim,
            "projection_dim": self.projection_dim,
        }
