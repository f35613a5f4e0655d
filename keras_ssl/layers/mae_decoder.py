"""MAEDecoder: the lightweight transformer that reconstructs masked patches."""

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.utils.validation import check_positive_int


@keras_ssl_export
class MAEDecoder(keras.layers.Layer):
    """MAE decoder: predicts the pixels of every patch from encoder tokens.

    The encoder's tokens (class token first, then one per patch, in image
    order) are projected to the decoder width; the tokens of masked patches
    are replaced by a learned mask token; a fixed position embedding is
    added; `num_layers` pre-norm transformer blocks and a LayerNorm follow,
    and a linear layer maps every patch token to its `output_dim` pixel
    values. The paper's defaults are a 512-wide, 8-block decoder with 16
    heads predicting 16x16x3 patches.

    Inputs are `[tokens, mask]`: `tokens` (b, 1 + n, d) and `mask` (b, n)
    with 1 for a masked patch (the values of its token are ignored) and 0
    for a visible one. The output is `(b, n, output_dim)`. Placing the
    visible tokens at their positions is what MAE's "unshuffle" does, so
    this computes the same function as the reference decoder.

    Args:
        num_patches: int. Patches per image (196 for 224 / 16).
        output_dim: int. Values predicted per patch (16 * 16 * 3 = 768).
        hidden_dim: int. Decoder width. Defaults to `512`.
        num_layers: int. Transformer blocks. Defaults to `8`.
        num_heads: int. Attention heads. Defaults to `16`.
        mlp_dim: int. Width of each block's MLP. Defaults to `2048`.
        layer_norm_epsilon: float. Defaults to `1e-6`.

    Example:

    ```python
    decoder = keras_ssl.layers.MAEDecoder(num_patches=4, output_dim=48,
                                          hidden_dim=16, num_layers=1,
                                          num_heads=2, mlp_dim=32)
    pixels = decoder([tokens, mask])  # tokens (b, 5, d), mask (b, 4)
    ```

    Reference:
        He et al., Masked Autoencoders Are Scalable Vision Learners, 2021.
        https://arxiv.org/abs/2111.06377
    """

    def __init__(self, num_patches, output_dim, hidden_dim=512, num_layers=8,
                 num_heads=16, mlp_dim=2048, layer_norm_epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        from keras_hub.src.models.vit.vit_layers import ViTEncoder

        self.num_patches = check_positive_int("num_patches", num_patches)
        self.output_dim = check_positive_int("output_dim", output_dim)
        self.hidden_dim = check_positive_int("hidden_dim", hidden_dim)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.num_heads = check_positive_int("num_heads", num_heads)
        self.mlp_dim = check_positive_int("mlp_dim", mlp_dim)
        self.layer_norm_epsilon = float(layer_norm_epsilon)
        self.embed = keras.layers.Dense(hidden_dim, dtype=self.dtype_policy, name="embed")
        self.blocks = ViTEncoder(
            num_layers=num_layers, num_heads=num_heads, hidden_dim=hidden_dim,
            mlp_dim=mlp_dim, layer_norm_epsilon=layer_norm_epsilon,
            dtype=self.dtype_policy, name="blocks",
        )
        self.predict_pixels = keras.layers.Dense(
            output_dim, dtype=self.dtype_policy, name="predict_pixels"
        )

    def build(self, input_shape):
        tokens_shape = input_shape[0]
        self.mask_token = self.add_weight(
            shape=(1, 1, self.hidden_dim), initializer=keras.initializers.RandomNormal(stddev=0.02),
            name="mask_token",
        )
        # Fixed (2-D sin-cos in the paper), so not trained.
        self.position_embedding = self.add_weight(
            shape=(1, self.num_patches + 1, self.hidden_dim), initializer="zeros",
            trainable=False, name="position_embedding",
        )
        self.embed.build(tokens_shape)
        self.blocks.build((None, self.num_patches + 1, self.hidden_dim))
        self.predict_pixels.build((None, self.num_patches + 1, self.hidden_dim))
        self.built = True

    def call(self, inputs):
        tokens, mask = inputs
        x = self.embed(tokens)
        mask = ops.expand_dims(ops.cast(mask, x.dtype), -1)
        patches = x[:, 1:] * (1.0 - mask) + ops.cast(self.mask_token, x.dtype) * mask
        x = ops.concatenate([x[:, :1], patches], axis=1)
        x = x + ops.cast(self.position_embedding, x.dtype)
        x = self.blocks(x)
        return self.predict_pixels(x)[:, 1:]

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.num_patches, self.output_dim)

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_patches": self.num_patches, "output_dim": self.output_dim,
            "hidden_dim": self.hidden_dim, "num_layers": self.num_layers,
            "num_heads": self.num_heads, "mlp_dim": self.mlp_dim,
            "layer_norm_epsilon": self.layer_norm_epsilon,
        })
        return config
