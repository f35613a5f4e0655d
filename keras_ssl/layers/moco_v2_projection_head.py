"""MoCoV2ProjectionHead: a ProjectionHead with its paper's defaults."""

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.layers.projection_head import SingleHiddenLayerHead


@keras_ssl_export
class MoCoV2ProjectionHead(SingleHiddenLayerHead):
    """MoCo v2 projector: Dense(2048)-ReLU-Dense(128), no BatchNorm.

    MoCo v2 replaces MoCo's linear fc head by a 2-layer MLP with a 2048-d
    hidden layer and ReLU, and a 128-d output.

    Args:
        hidden_dim: int. Width of the hidden layer. Defaults to `2048`.
        output_dim: int. Width of the output. Defaults to `128`.
        use_batch_norm: bool. BatchNorm after the hidden layer. Defaults to
            `False`.

    Example:
    ```python
    head = keras_ssl.layers.MoCoV2ProjectionHead(hidden_dim=512)
    ```

    Reference:
        Chen et al., Improved Baselines with Momentum Contrastive Learning, 2020.
        https://arxiv.org/abs/2003.04297
    """

    default_hidden_dim = 2048
    default_output_dim = 128
    default_batch_norm = False
