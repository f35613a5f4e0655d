"""A configurable MLP head: the projector and predictor of SSL methods."""

import keras

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.layers.sync_batch_normalization import SyncBatchNormalization
from keras_ssl.utils.validation import check_positive_int


@keras_ssl_export
class ProjectionHead(keras.layers.Layer):
    """MLP of `Dense -> [BatchNorm] -> activation` hidden blocks, linear output.

    The common shape of SSL projectors and predictors; the method-specific
    heads (`SimCLRProjectionHead`, `BYOLProjectionHead` ...) are this layer
    with their paper's defaults.

    Args:
        hidden_dims: list of int. Width of each hidden layer.
        output_dim: int. Width of the output layer.
        use_batch_norm: bool. BatchNorm after each hidden Dense (the Dense
            then has no bias). Defaults to `True`.
        output_batch_norm: bool. BatchNorm (without scale) on the output, as
            in SimCLR's released code. Defaults to `False`.
        activation: str. Activation of the hidden blocks (MSN uses
            `"gelu"`). Defaults to `"relu"`.

    The BatchNorm layers are `SyncBatchNormalization`: on several replicas
    their statistics cover the global batch, as in the papers' multi-device
    training; on one device they are plain BatchNorm.

    Example:
    ```python
    head = keras_ssl.layers.ProjectionHead([512], output_dim=128)
    z = head(keras.random.normal((8, 512)))  # (8, 128)
    ```
    """

    def __init__(
        self,
        hidden_dims,
        output_dim,
        use_batch_norm=True,
        output_batch_norm=False,
        activation="relu",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(hidden_dims, int):
            hidden_dims = [hidden_dims]
        self.hidden_dims = [
            check_positive_int("hidden_dims", int(d)) for d in hidden_dims
        ]
        self.output_dim = check_positive_int("output_dim", output_dim)
        self.use_batch_norm = bool(use_batch_norm)
        self.output_batch_norm = bool(output_batch_norm)
        if not isinstance(activation, str):
            raise TypeError(
                "`activation` must be the name of a Keras activation. "
                f"Received: activation={activation!r}."
            )
        keras.activations.get(activation)  # raises for an unknown name
        self.activation = activation
        self.blocks = [self._hidden_block(d, i) for i, d in enumerate(self.hidden_dims)]
        self.output_dense = keras.layers.Dense(
            self.output_dim,
            use_bias=not self.output_batch_norm,
            dtype=self.dtype_policy,
            name="output_dense",
        )
        self.output_norm = (
            SyncBatchNormalization(
                scale=False, dtype=self.dtype_policy, name="output_norm"
            )
            if self.output_batch_norm
            else None
        )

    def _hidden_block(self, dim, index):
        layers = [
            keras.layers.Dense(
                dim,
                use_bias=not self.use_batch_norm,
                dtype=self.dtype_policy,
                name=f"hidden_dense_{index}",
            )
        ]
        if self.use_batch_norm:
            layers.append(
                SyncBatchNormalization(
                    dtype=self.dtype_policy, name=f"hidden_norm_{index}"
                )
            )
        layers.append(
            keras.layers.Activation(
                self.activation,
                dtype=self.dtype_policy,
                name=f"{self.activation}_{index}",
            )
        )
        return layers

    def build(self, input_shape):
        shape = tuple(input_shape)
        for block in self.blocks:
            for layer in block:
                layer.build(shape)
                shape = layer.compute_output_shape(shape)
        self.output_dense.build(shape)
        if self.output_norm is not None:
            self.output_norm.build(self.output_dense.compute_output_shape(shape))

    def call(self, inputs, training=None):
        x = inputs
        for block in self.blocks:
            for layer in block:
                x = layer(x, training=training)
        x = self.output_dense(x)
        if self.output_norm is not None:
            x = self.output_norm(x, training=training)
        return x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.output_dim,)

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_dims": self.hidden_dims,
            "output_dim": self.output_dim,
            "use_batch_norm": self.use_batch_norm,
            "output_batch_norm": self.output_batch_norm,
            "activation": self.activation,
        }


class SingleHiddenLayerHead(ProjectionHead):
    """Base of the paper heads: one hidden layer, defaults per subclass.

    Subclasses set `default_hidden_dim`, `default_output_dim` and
    `default_batch_norm` and document them; the arguments and config are
    `hidden_dim`, `output_dim` and `use_batch_norm`.
    """

    default_hidden_dim = 2048
    default_output_dim = 128
    default_batch_norm = True

    def __init__(
        self, hidden_dim=None, output_dim=None, use_batch_norm=None, **kwargs
    ):
        kwargs.pop("hidden_dims", None)
        super().__init__(
            hidden_dims=[hidden_dim or self.default_hidden_dim],
            output_dim=output_dim or self.default_output_dim,
            use_batch_norm=(
                self.default_batch_norm
                if use_batch_norm is None
                else use_batch_norm
            ),
            **kwargs,
        )

    def get_config(self):
        config = super().get_config()
        config["hidden_dim"] = config.pop("hidden_dims")[0]
        return config
