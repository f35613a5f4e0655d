"""BYOLProjectionHead: a ProjectionHead with its paper's defaults."""

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.layers.projection_head import SingleHiddenLayerHead


@keras_ssl_export
class BYOLProjectionHead(SingleHiddenLayerHead):
    """BYOL projector: Dense(4096)-BN-ReLU-Dense(256).

    BYOL projects the representation with an MLP: a linear layer of 4096
    units, batch normalisation, ReLU, and a linear output of 256 units.

    Args:
        hidden_dim: int. Width of the hidden layer. Defaults to `4096`.
        output_dim: int. Width of the output. Defaults to `256`.
        use_batch_norm: bool. BatchNorm after the hidden layer. Defaults to
            `True`.

    Example:
    ```python
    head = keras_ssl.layers.BYOLProjectionHead(hidden_dim=512)
    ```

    Reference:
        Grill et al., Bootstrap Your Own Latent, 2020.
        https://arxiv.org/abs/2006.07733
    """

    default_hidden_dim = 4096
    default_output_dim = 256
    default_batch_norm = True
