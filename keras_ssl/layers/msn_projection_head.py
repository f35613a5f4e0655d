"""MSNProjectionHead: a ProjectionHead with its paper's defaults."""

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.layers.projection_head import ProjectionHead


@keras_ssl_export
class MSNProjectionHead(ProjectionHead):
    """MSN projector: 3 Dense layers, hidden 2048 with BatchNorm and GELU, output 256.

    `Dense(2048)-BN-GELU-Dense(2048)-BN-GELU-Dense(256)`, the head of MSN's
    released code (`hidden_dim: 2048`, `output_dim: 256`, `use_bn: true`).
    Its output is compared with the prototypes by cosine similarity.

    Args:
        hidden_dim: int. Width of the two hidden layers. Defaults to `2048`.
        output_dim: int. Width of the output. Defaults to `256`.
        use_batch_norm: bool. BatchNorm after each hidden Dense. Defaults to
            `True`.

    Example:
    ```python
    head = keras_ssl.layers.MSNProjectionHead(hidden_dim=512, output_dim=128)
    ```

    Reference:
        Assran et al., Masked Siamese Networks for Label-Efficient Learning,
        2022. https://arxiv.org/abs/2204.07141
    """

    def __init__(
        self, hidden_dim=2048, output_dim=256, use_batch_norm=True, **kwargs
    ):
        for key in ("hidden_dims", "activation", "output_batch_norm"):
            kwargs.pop(key, None)
        super().__init__(
            hidden_dims=[hidden_dim, hidden_dim],
            output_dim=output_dim,
            use_batch_norm=use_batch_norm,
            activation="gelu",
            **kwargs,
        )
        self.hidden_dim = self.hidden_dims[0]

    def get_config(self):
        config = super().get_config()
        for key in ("hidden_dims", "activation", "output_batch_norm"):
            config.pop(key)
        return {**config, "hidden_dim": self.hidden_dim}
