"""VICReg: variance, invariance and covariance terms on two views."""

from keras_ssl.api_export import keras_ssl_export
from keras_ssl import augmentations
from keras_ssl.layers.projection_head import ProjectionHead
from keras_ssl.losses.vicreg_loss import vicreg_loss
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_positive_int


@keras_ssl_export
class VICReg(SSLModel):
    """VICReg: invariance between views, variance and decorrelation per branch.

    Each view goes through the encoder and an expander (projector) on its
    own; the loss keeps the two embeddings close (mean squared error), the
    standard deviation of every dimension above 1 (a hinge, so no collapse)
    and the covariances between dimensions near 0. Logged: the unweighted
    `invariance`, `variance` and `covariance` terms. Paper defaults:
    expander of 3 layers of 8192 (BN and ReLU after the first two), weights
    25 / 25 / 1, the BYOL-style augmentations; the paper trains with LARS,
    batch 2048, base lr 0.2 x batch/256, weight decay 1e-6.

    Args:
        encoder: keras.Model. Maps images to features.
        augmenter: optional layer mapping images to 2 views. Defaults to
            `None` (`keras_ssl.augmentations.byol_augmentation`).
        invariance_weight: float. Defaults to `25.0`.
        variance_weight: float. Defaults to `25.0`.
        covariance_weight: float. Defaults to `1.0`.
        projection_hidden_dim: int. Width of the expander's two hidden
            layers. Defaults to `8192`.
        projection_dim: int. Output width of the expander. Defaults to
            `8192`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    model = keras_ssl.methods.VICReg(encoder, projection_hidden_dim=2048,
                                     projection_dim=2048)
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    model.fit(images, epochs=100, batch_size=256)
    ```

    Reference:
        Bardes et al., VICReg: Variance-Invariance-Covariance Regularization
        for Self-Supervised Learning, 2021. https://arxiv.org/abs/2105.04906
    """

    log_names = ("invariance", "variance", "covariance")

    def __init__(
        self,
        encoder,
        augmenter=None,
        invariance_weight=25.0,
        variance_weight=25.0,
        covariance_weight=1.0,
        projection_hidden_dim=8192,
        projection_dim=8192,
        **kwargs,
    ):
        super().__init__(encoder, augmenter=augmenter, **kwargs)
        self.invariance_weight = check_positive_float(
            "invariance_weight", invariance_weight
        )
        self.variance_weight = check_positive_float("variance_weight", variance_weight)
        self.covariance_weight = check_positive_float(
            "covariance_weight", covariance_weight
        )
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
        loss, terms = vicreg_loss(
            z[0],
            z[1],
            self.invariance_weight,
            self.variance_weight,
            self.covariance_weight,
            return_terms=True,
        )
        return loss, {"features": features[0], "embeddings": z[0], **terms}

    def get_config(self):
        return {
            **super().get_config(),
            "invariance_weight": self.invariance_weight,
            "variance_weight": self.variance_weight,
            "covariance_weight": self.covariance_weight,
            "projection_hidden_dim": self.projection_hidden_dim,
            "projection_dim": self.projection_dim,
        }
