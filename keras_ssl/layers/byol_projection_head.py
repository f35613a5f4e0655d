"""BYOLProjectionHead: a ProjectionHead with its paper's defaults."""

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.layers.projection_head import ProjectionHead


@keras_ssl_export
class BYOLProjectionHead(ProjectionHead):
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

    def __init__(
        self, hidden_dim=4096, output_dim=256, use_batch_norm=True, **kwargs
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
