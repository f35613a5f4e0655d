"""SimCLRProjectionHead: a ProjectionHead with its paper's defaults."""

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.layers.projection_head import SingleHiddenLayerHead


@keras_ssl_export
class SimCLRProjectionHead(SingleHiddenLayerHead):
    """SimCLR projector: Dense(2048)-BN-ReLU-Dense(128).

    The paper maps the 2048-d ResNet-50 representation through a 2-layer MLP
    with a ReLU and a 128-d output, and finds a nonlinear projection improves
    the representation before it by over 10 points. Set `hidden_dim` to the
    encoder's width for smaller encoders.

    Args:
        hidden_dim: int. Width of the hidden layer. Defaults to `2048`.
        output_dim: int. Width of the output. Defaults to `128`.
        use_batch_norm: bool. BatchNorm after the hidden layer. Defaults to
            `True`.

    Example:
    ```python
    head = keras_ssl.layers.SimCLRProjectionHead(hidden_dim=512)
    ```

    Reference:
        Chen et al., A Simple Framework for Contrastive Learning of Visual Representations, 2020.
        https://arxiv.org/abs/2002.05709
    """

    default_hidden_dim = 2048
    default_output_dim = 128
    default_batch_norm = True
