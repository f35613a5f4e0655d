"""SimCLR: contrastive learning with in-batch negatives."""

from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl import augmentations
from keras_ssl.layers.simclr_projection_head import SimCLRProjectionHead
from keras_ssl.losses.ntxent import ntxent
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.utils.validation import check_positive_float


@keras_ssl_export
class SimCLR(SSLModel):
    """SimCLR: two augmented views of each image, NT-Xent on projections.

    Both views go through the encoder and a projection MLP; the NT-Xent loss
    pulls the two projections of an image together and pushes away the
    other 2b - 2 projections of the batch. Paper defaults: projection MLP
    2048 -> 128 with BatchNorm, temperature 0.1 (0.5 in the paper's CIFAR-10
    experiments), the SimCLR augmentations; the paper trains with LARS at
    lr 0.3 x batch/256 and batch 4096, with BatchNorm over all devices
    (`sync_batch_norm=True` here; negatives always cover the global batch).

    Args:
        encoder: keras.Model. Maps images to features.
        augmenter: optional layer mapping images to 2 views. Defaults to
            `None` (`keras_ssl.augmentations.simclr_augmentation`).
        temperature: float. NT-Xent temperature, > 0. Defaults to `0.1`.
        projection_hidden_dim: int. Hidden width of the projector. Defaults
            to `2048`.
        projection_dim: int. Output width of the projector. Defaults to `128`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    model = keras_ssl.methods.SimCLR(encoder, temperature=0.5)
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    model.fit(images, epochs=100, batch_size=256)
    features = model.encoder.predict(images)
    ```

    Reference:
        Chen et al., A Simple Framework for Contrastive Learning of Visual
        Representations, 2020. https://arxiv.org/abs/2002.05709
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
        self.projection_hidden_dim = projection_hidden_dim
        self.projection_dim = projection_dim
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

    def compute_ssl_loss(self, views, training=False):
        batch = ops.shape(views[0])[0]
        # Both views in one pass: one BatchNorm statistic over 2b images.
        features = self.encoder(ops.concatenate(views, axis=0), training=training)
        z = self.projection_head(features, training=training)
        loss = ntxent(z[:batch], z[batch:], temperature=self.temperature)
        return loss, {"features": features[:batch], "embeddings": z[:batch]}

    def get_config(self):
        return {
            **super().get_config(),
            "temperature": self.temperature,
            "projection_hidden_dim": self.projection_hidden_dim,
            "projection_dim": self.projection_dim,
        }
