"""timm / torchvision ViT state dicts -> keras-hub `ViTBackbone` encoders.

timm's layout (`cls_token`, `pos_embed`, `patch_embed.proj`,
`blocks.{i}.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2}`, `norm`) is
the one of DINO, MoCo v3 and MAE; torchvision's (`class_token`,
`conv_proj`, `encoder.layers.encoder_layer_{i}...`) is read too. Both are
pre-norm transformers with a final LayerNorm and exact GELU, as
`keras_hub.models.ViTBackbone`. Sizes are read from the weights; the number
of heads cannot be (the fused qkv matrix looks the same for any), so it is
an argument.
"""

import re

import keras

from keras_ssl.encoders._image_input import rescaled_image_input
from keras_ssl.presets.converters.resnet_converter import conv_kernel
from keras_ssl.presets.converters.state_dict_assigner import StateDictAssigner

LAYOUTS = {
    "timm": {
        "cls": "cls_token", "pos": "pos_embed", "patch": "patch_embed.proj",
        "block": "blocks.{i}", "norm1": "norm1", "norm2": "norm2",
        "qkv": "attn.qkv", "proj": "attn.proj", "fc1": "mlp.fc1",
        "fc2": "mlp.fc2", "norm": "norm", "block_re": r"^blocks\.(\d+)\.",
    },
    "torchvision": {
        "cls": "class_token", "pos": "encoder.pos_embedding",
        "patch": "conv_proj", "block": "encoder.layers.encoder_layer_{i}",
        "norm1": "ln_1", "norm2": "ln_2", "qkv": "self_attention.in_proj",
        "proj": "self_attention.out_proj", "fc1": "mlp.0", "fc2": "mlp.3",
        "norm": "encoder.ln", "block_re": r"^encoder\.layers\.encoder_layer_(\d+)\.",
    },
}


def vit_from_state_dict(state_dict, num_heads, layout="timm",
                        input_normalization="imagenet", layer_norm_epsilon=1e-6,
                        ignore_prefixes=("head.", "heads."), source="checkpoint"):
    """Builds a ViT encoder from a state dict: `(batch, dim)` class token.

    Args:
        state_dict: dict. `{name: numpy array}` in `layout`.
        num_heads: int. Attention heads (6 for DINO's ViT-S, 12 for MoCo
            v3's ViT-S and every ViT-B, 16 for ViT-L).
        layout: str. `"timm"` or `"torchvision"`. Defaults to `"timm"`.
        input_normalization: as for `keras_ssl.encoders.ResNet`: the
            encoder takes `[0, 255]` pixels. Defaults to `"imagenet"`.
        layer_norm_epsilon: float. Defaults to `1e-6` (timm, torchvision).
        ignore_prefixes: tuple of str. Keys deliberately not converted.
        source: str. Checkpoint name for error messages.

    Returns:
        `(encoder, backbone)`: a functional model mapping `[0, 255]` images
        to the final-norm class token, and the `ViTBackbone` inside it
        (token sequences, for dense tasks).
    """
    if layout not in LAYOUTS:
        raise ValueError(f"`layout` must be one of {sorted(LAYOUTS)}. Received: layout={layout!r}.")
    keys = LAYOUTS[layout]
    backbone = _build_backbone(state_dict, keys, num_heads, layer_norm_epsilon, source)
    assigner = StateDictAssigner(state_dict, ignore_prefixes, source)
    assign_vit(assigner, backbone, keys)
    assigner.finish()
    inputs, x = rescaled_image_input(backbone.image_shape, input_normalization)
    tokens = backbone(x)
    encoder = keras.Model(inputs, tokens[:, 0], name=f"{backbone.name}_encoder")
    return encoder, backbone


def _build_backbone(state_dict, keys, num_heads, layer_norm_epsilon, source):
    import keras_hub

    for key in (keys["cls"], keys["pos"], f"{keys['patch']}.weight"):
        if key not in state_dict:
            raise ValueError(
                f"{source} is not a ViT state dict in this layout: it lacks "
                f"{key!r}. First keys: {sorted(state_dict)[:6]}."
            )
    hidden_dim = state_dict[keys["cls"]].shape[-1]
    patch_size = state_dict[f"{keys['patch']}.weight"].shape[-1]
    num_positions = state_dict[keys["pos"]].shape[1]
    grid = int(round((num_positions - 1) ** 0.5))
    if grid * grid != num_positions - 1:
        raise ValueError(
            f"{source}: {num_positions} position embeddings are not a class "
            "token plus a square grid of patches."
        )
    block_re = re.compile(keys["block_re"])
    num_layers = 1 + max(
        (int(m.group(1)) for k in state_dict if (m := block_re.match(k))), default=-1
    )
    if hidden_dim % num_heads:
        raise ValueError(
            f"`num_heads`={num_heads} does not divide the width {hidden_dim} of {source}."
        )
    mlp_dim = state_dict[f"{keys['block'].format(i=0)}.{keys['fc1']}.weight"].shape[0]
    size = grid * patch_size
    return keras_hub.models.ViTBackbone(
        image_shape=(size, size, state_dict[f"{keys['patch']}.weight"].shape[1]),
        patch_size=patch_size, num_layers=num_layers, num_heads=num_heads,
        hidden_dim=hidden_dim, mlp_dim=mlp_dim,
        layer_norm_epsilon=layer_norm_epsilon, data_format="channels_last",
    )


def assign_vit(assigner, backbone, keys, prefix=""):
    """Assigns the embeddings, every block and the final norm."""
    embedding = backbone.get_layer("vit_patching_and_embedding")
    patch = f"{prefix}{keys['patch']}"
    assigner.assign(embedding.patch_embedding.kernel, f"{patch}.weight", conv_kernel)
    assigner.assign(embedding.patch_embedding.bias, f"{patch}.bias")
    assigner.assign(embedding.class_token, f"{prefix}{keys['cls']}")
    assigner.assign(
        embedding.position_embedding.embeddings, f"{prefix}{keys['pos']}",
        lambda p: p[0],
    )
    encoder = backbone.get_layer("vit_encoder")
    for i, block in enumerate(encoder.encoder_layers):
        assign_block(assigner, block, f"{prefix}{keys['block'].format(i=i)}", keys)
    assign_layer_norm(assigner, encoder.layer_norm, f"{prefix}{keys['norm']}")


def assign_block(assigner, block, name, keys):
    """One pre-norm transformer block: norms, attention, MLP."""
    assign_layer_norm(assigner, block.layer_norm_1, f"{name}.{keys['norm1']}")
    assign_layer_norm(assigner, block.layer_norm_2, f"{name}.{keys['norm2']}")
    assign_attention(assigner, block.mha, f"{name}.{keys['qkv']}", f"{name}.{keys['proj']}")
    for dense, key in ((block.mlp.dense_1, "fc1"), (block.mlp.dense_2, "fc2")):
        assign_dense(assigner, dense, f"{name}.{keys[key]}")


def assign_layer_norm(assigner, layer, name):
    assigner.assign(layer.gamma, f"{name}.weight")
    assigner.assign(layer.beta, f"{name}.bias")


def assign_dense(assigner, dense, name):
    assigner.assign(dense.kernel, f"{name}.weight", lambda w: w.T)
    assigner.assign(dense.bias, f"{name}.bias")


def assign_attention(assigner, mha, qkv, proj):
    """Splits a fused `(3 * d, d)` qkv projection into Keras's q, k, v."""
    heads, head_dim = mha.num_heads, mha.key_dim
    parts = (mha.query_dense, mha.key_dense, mha.value_dense)
    for index, dense in enumerate(parts):
        assigner.assign(
            dense.kernel, f"{qkv}_weight" if qkv.endswith("in_proj") else f"{qkv}.weight",
            lambda w, i=index: _third(w, i).T.reshape(-1, heads, head_dim),
        )
        assigner.assign(
            dense.bias, f"{qkv}_bias" if qkv.endswith("in_proj") else f"{qkv}.bias",
            lambda b, i=index: _third(b, i).reshape(heads, head_dim),
        )
    assigner.assign(
        mha.output_dense.kernel, f"{proj}.weight",
        lambda w: w.T.reshape(heads, head_dim, -1),
    )
    assigner.assign(mha.output_dense.bias, f"{proj}.bias")


def _third(array, index):
    size = array.shape[0] // 3
    return array[index * size:(index + 1) * size]
