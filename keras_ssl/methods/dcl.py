"""DCL: SimCLR with the decoupled contrastive loss."""

from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl import augmentations
from keras_ssl.layers.simclr_projection_head import SimCLRProjectionHead
from keras_ssl.losses.dcl_loss import dcl_loss
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_positive_int


@keras_ssl_export
class DCL(SSLModel):
    """DCL: SimCLR's views and projector, positives out of the denominator.

    Both views go through the encoder and a projection MLP; the decoupled
    contrastive loss pulls the two projections of an image together and
    pushes away the other 2b - 2 projections of the batch, like NT-Xent but
    without the positive pair in the denominator. Removing that
    negative-positive coupling is what lets DCL train well with small
    batches (256 and below) and fewer epochs. The loss is symmetric over the
    two views (every projection is an anchor). Paper defaults: SimCLR's
    projector 2048 -> 128 with BatchNorm, temperature 0.1, the SimCLR
    augmentations; the paper trains ResNet-50 with LARS and batch 256 on
    ImageNet.

    Args:
        encoder: keras.Model. Maps images to features.
        augmenter: optional layer mapping images to 2 views. Defaults to
            `None` (`keras_ssl.augmentations.simclr_augmentation`).
        temperature: float. Softmax temperature, > 0. Defaults to `0.1`.
        projection_hidden_dim: int. Hidden width of the projector. Defaults
            to `2048`.
        projection_dim: int. Output width of the projector. Defaults to `128`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    model = keras_ssl.methods.DCL(encoder, projection_hidden_dim=512)
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    model.fit(images, epochs=100, batch_size=256)
    ```

    Reference:
        Yeh et al., Decoupled Contrastive Learning, 2021.
        https://arxiv.org/abs/2110.06848
    """

    def __init__(
        self,
        encoder,
        augmenter=None,
        temperature=0.1,
        projection_hidden_dim=2048,
        projection_dim=128,
        **kwargs,
    ):
        super().__init__(encoder, augmenter=augmenter, **kwargs)
        self.temperature = check_positive_float("temperature", temperature)
        self.projection_hidden_dim = check_positive_int(
            "projection_hidden_dim", projection_hidden_dim
        )
        self.projection_dim = check_positive_int("projection_dim", projection_dim)
        self.projection_head = SimCLRProjectionHead(
            hidden_dim=projection_hidden_dim,
            output_dim=projection_dim,
            name="projection_head",
        )
        self.projection_head.build((None, self.feature_dim))

    def default_augmenter(self, image_shape):
        return augmentations.simclr_augmentation(
            image_size=image_shape[0], channels=image_shape[-1]
        )

    def contrastive_loss(self, z_a, z_b):
        """The loss between the two views' projections."""
        return dcl_loss(z_a, z_b, temperature=self.temperature)

    def compute_ssl_loss(self, views, training=False):
        batch = ops.shape(views[0])[0]
        # Both views in one pass: one BatchNorm statistic over 2b images.
        features = self.encoder(ops.concatenate(views, axis=0), training=training)
        z = self.projection_head(features, training=training)
        loss = self.contrastive_loss(z[:batch], z[batch:])
        return loss, {"features": features[:batch], "embeddings": z[:batch]}

    def get_config(self):
        return {
            **super().get_config(),
            "temperature": self.temperature,
            "projection_hidden_dim": self.projection_hidden_dim,
            "projection_dim": self.projection_dim,
        }
