"""DCLW: DCL with von Mises-Fisher weights on the positive pairs."""

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.losses.dclw_loss import dclw_loss
from keras_ssl.methods.dcl import DCL
from keras_ssl.utils.validation import check_positive_float


@keras_ssl_export
class DCLW(DCL):
    """DCLW: DCL whose positive pairs are weighted by how hard they are.

    As `DCL`, with the positive term of each image weighted by
    `w_i = 2 - exp(cos_i / sigma) / mean_j exp(cos_j / sigma)`, where
    `cos_i` is the cosine similarity of its two projections: pairs whose
    views already agree weigh less than 1, hard pairs more (the weights
    average to 1 and get no gradient). Symmetric over the two views. Paper
    defaults: sigma 0.5, temperature 0.1, SimCLR's projector 2048 -> 128 and
    augmentations.

    Args:
        encoder: keras.Model. Maps images to features.
        augmenter: optional layer mapping images to 2 views. Defaults to
            `None` (`keras_ssl.augmentations.simclr_augmentation`).
        temperature: float. Softmax temperature, > 0. Defaults to `0.1`.
        sigma: float. Concentration of the positive-pair weights, > 0.
            Defaults to `0.5`.
        projection_hidden_dim: int. Hidden width of the projector. Defaults
            to `2048`.
        projection_dim: int. Output width of the projector. Defaults to `128`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    model = keras_ssl.methods.DCLW(encoder, projection_hidden_dim=512)
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    model.fit(images, epochs=100, batch_size=256)
    ```

    Reference:
        Yeh et al., Decoupled Contrastive Learning, 2021.
        https://arxiv.org/abs/2110.06848
    """

    def __init__(self, encoder, augmenter=None, sigma=0.5, **kwargs):
        super().__init__(encoder, augmenter=augmenter, **kwargs)
        self.sigma = check_positive_float("sigma", sigma)

    def contrastive_loss(self, z_a, z_b):
        return dclw_loss(z_a, z_b, temperature=self.temperature, sigma=self.sigma)

    def get_config(self):
        return {**super().get_config(), "sigma": self.sigma}
