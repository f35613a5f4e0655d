"""SwAVProjectionHead: a ProjectionHead with its paper's defaults."""

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.layers.projection_head import SingleHiddenLayerHead


@keras_ssl_export
class SwAVProjectionHead(SingleHiddenLayerHead):
    """SwAV projector: Dense(2048)-BN-ReLU-Dense(128).

    SwAV maps the ResNet-50 representation through a 2-layer MLP (hidden
    2048 with BatchNorm and ReLU, output 128); the output is L2-normalised
    and scored against the prototypes (`keras_ssl.layers.Prototypes`).

    Args:
        hidden_dim: int. Width of the hidden layer. Defaults to `2048`.
        output_dim: int. Width of the output. Defaults to `128`.
        use_batch_norm: bool. BatchNorm after the hidden layer. Defaults to
            `True`.

    Example:
    ```python
    head = keras_ssl.layers.SwAVProjectionHead(hidden_dim=512)
    ```

    Reference:
        Caron et al., Unsupervised Learning of Visual Features by Contrasting
        Cluster Assignments, 2020. https://arxiv.org/abs/2006.09882
    """

    default_hidden_dim = 2048
    default_output_dim = 128
    default_batch_norm = True
