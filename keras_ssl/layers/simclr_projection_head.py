"""SimCLRProjectionHead: a ProjectionHead with its paper's defaults."""

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.layers.projection_head import ProjectionHead


@keras_ssl_export
class SimCLRProjectionHead(ProjectionHead):
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

    def __init__(
        self, hidden_dim=2048, output_dim=128, use_batch_norm=True, **kwargs
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
