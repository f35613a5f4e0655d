"""DINOProjectionHead: MLP, L2-normalised bottleneck, weight-normalised output."""

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.layers.prototypes import freeze_gradient
from keras_ssl.layers.sync_batch_normalization import SyncBatchNormalization
from keras_ssl.losses.common import l2_normalize
from keras_ssl.utils.validation import check_positive_int


@keras_ssl_export
class DINOProjectionHead(keras.layers.Layer):
    """DINO head: `num_layers` Dense layers with GELU, then a prototype layer.

    The MLP ends in a linear bottleneck of `bottleneck_dim`; its output is
    L2-normalised and multiplied by a weight-normalised matrix (each of the
    `output_dim` columns has norm 1, the paper's frozen weight-norm gain of
    1), giving cosine-similarity logits. Paper defaults: 3 layers, hidden
    2048, bottleneck 256, output 65536, no BatchNorm (for ViT encoders).

    Call arguments: `inputs` (b, d); `training`; `frozen`, an optional
    boolean scalar: when True the prototype matrix (the paper's last layer)
    gets no gradient (DINO freezes it during the first epoch).

    Args:
        hidden_dim: int. Width of the hidden layers. Defaults to `2048`.
        bottleneck_dim: int. Width of the bottleneck. Defaults to `256`.
        output_dim: int. Number of output logits (K). Defaults to `65536`.
        num_layers: int. Dense layers of the MLP, >= 1 (the last one is the
            bottleneck). Defaults to `3`.
        use_batch_norm: bool. BatchNorm (`SyncBatchNormalization`: global
            batch statistics on several replicas) after each hidden Dense.
            Defaults to `False`.
        norm_last_layer: bool. When True, the gain of every weight-normalised
            column is fixed at 1, so the logits are cosines in [-1, 1]. When
            False, each column has a learnable gain (initialised to 1, frozen
            with the columns), which lets the logits, and so the teacher's
            sharpness, grow. Defaults to `True`.

    Example:
    ```python
    head = keras_ssl.layers.DINOProjectionHead(output_dim=4096)
    logits = head(keras.random.normal((8, 384)))  # (8, 4096)
    ```

    Reference:
        Caron et al., Emerging Properties in Self-Supervised Vision
        Transformers, 2021. https://arxiv.org/abs/2104.14294
    """

    def __init__(
        self,
        hidden_dim=2048,
        bottleneck_dim=256,
        output_dim=65536,
        num_layers=3,
        use_batch_norm=False,
        norm_last_layer=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.hidden_dim = check_positive_int("hidden_dim", hidden_dim)
        self.bottleneck_dim = check_positive_int("bottleneck_dim", bottleneck_dim)
        self.output_dim = check_positive_int("output_dim", output_dim)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.use_batch_norm = bool(use_batch_norm)
        self.norm_last_layer = bool(norm_last_layer)
        self.mlp = []
        for i in range(self.num_layers - 1):
            self.mlp.append(
                keras.layers.Dense(hidden_dim, dtype=self.dtype_policy, name=f"dense_{i}")
            )
            if self.use_batch_norm:
                self.mlp.append(
                    SyncBatchNormalization(dtype=self.dtype_policy, name=f"norm_{i}")
                )
            self.mlp.append(
                keras.layers.Activation("gelu", dtype=self.dtype_policy, name=f"gelu_{i}")
            )
        self.mlp.append(
            keras.layers.Dense(bottleneck_dim, dtype=self.dtype_policy, name="bottleneck")
        )

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.mlp:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.prototypes = self.add_weight(
            shape=(self.bottleneck_dim, self.output_dim),
            initializer=keras.initializers.TruncatedNormal(stddev=0.02),
            name="prototypes",
        )
        self.gain = None
        if not self.norm_last_layer:
            self.gain = self.add_weight(
                shape=(self.output_dim,), initializer="ones", name="gain"
            )

    def call(self, inputs, training=None, frozen=None):
        x = inputs
        for layer in self.mlp:
            x = layer(x, training=training)
        prototypes = ops.convert_to_tensor(self.prototypes)
        if frozen is not None:
            prototypes = freeze_gradient(prototypes, frozen)
        # Cosine logits, in float32: unit bottleneck against unit columns.
        columns = l2_normalize(prototypes, axis=0)
        if self.gain is not None:
            gain = ops.convert_to_tensor(self.gain)
            if frozen is not None:
                gain = freeze_gradient(gain, frozen)
            columns = columns * gain
        return ops.matmul(l2_normalize(x), columns)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.output_dim,)

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_dim": self.hidden_dim,
            "bottleneck_dim": self.bottleneck_dim,
            "output_dim": self.output_dim,
            "num_layers": self.num_layers,
            "use_batch_norm": self.use_batch_norm,
            "norm_last_layer": self.norm_last_layer,
        }
