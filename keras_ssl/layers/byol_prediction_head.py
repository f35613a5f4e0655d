"""BYOLPredictionHead: a ProjectionHead with its paper's defaults."""

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.layers.projection_head import SingleHiddenLayerHead


@keras_ssl_export
class BYOLPredictionHead(SingleHiddenLayerHead):
    """BYOL predictor: Dense(4096)-BN-ReLU-Dense(256), online branch only.

    The predictor has the projector's architecture and maps the online
    projection to a prediction of the target projection.

    Args:
        hidden_dim: int. Width of the hidden layer. Defaults to `4096`.
        output_dim: int. Width of the output. Defaults to `256`.
        use_batch_norm: bool. BatchNorm after the hidden layer. Defaults to
            `True`.

    Example:
    ```python
    head = keras_ssl.layers.BYOLPredictionHead(hidden_dim=512)
    ```

    Reference:
        Grill et al., Bootstrap Your Own Latent, 2020.
        https://arxiv.org/abs/2006.07733
    """

    default_hidden_dim = 4096
    default_output_dim = 256
    default_batch_norm = True
