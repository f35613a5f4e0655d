"""MoCoV2ProjectionHead: a ProjectionHead with its paper's defaults."""

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.layers.projection_head import ProjectionHead


@keras_ssl_export
class MoCoV2ProjectionHead(ProjectionHead):
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

    def __init__(
        self, hidden_dim=2048, output_dim=128, use_batch_norm=False, **kwargs
    ):
        kwargs.pop("hidden_dims", None)
        kwargs.setdefault("output_batch_norm", False)
        super().__init__(
            hidden_dims=[hidden_dim],
            output_dim=output_dim,
            use_batch_norm=use_batch_norm,
            **kwargs,
        )

    def get_config(self):
        config = super().get_config()
        config["hidden_dim"] = config.pop("hidden_dims")[0]
        return config
