"""MAE checkpoints -> a ViT encoder and a `MAEDecoder`.

MAE's files (`mae_pretrain_vit_{base,large}.pth`: encoder only;
`..._full.pth` and `mae_visualize_vit_*.pth`: encoder and decoder) hold a
`"model"` entry in timm's ViT layout plus `mask_token`, `decoder_embed`,
`decoder_pos_embed`, `decoder_blocks.{i}`, `decoder_norm` and
`decoder_pred`.
"""

from keras_ssl.layers.mae_decoder import MAEDecoder
from keras_ssl.presets.converters import vit_converter
from keras_ssl.presets.converters.state_dict_assigner import StateDictAssigner

DECODER_PREFIXES = ("mask_token", "decoder_")
DECODER_KEYS = dict(vit_converter.LAYOUTS["timm"], block="decoder_blocks.{i}")


def mae_from_state_dict(state_dict, num_heads, decoder_num_heads=16,
                        input_normalization="imagenet", source="checkpoint"):
    """Returns `(encoder, decoder)`; `decoder` is None for encoder-only files.

    Args:
        state_dict: dict. The `"model"` entry of an MAE checkpoint.
        num_heads: int. Encoder heads (12 for ViT-B, 16 for ViT-L).
        decoder_num_heads: int. Decoder heads. Defaults to `16` (MAE).
        input_normalization: as for `vit_from_state_dict`.
        source: str. Checkpoint name for error messages.
    """
    encoder_part = {k: v for k, v in state_dict.items() if not k.startswith(DECODER_PREFIXES)}
    encoder, _ = vit_converter.vit_from_state_dict(
        encoder_part, num_heads, input_normalization=input_normalization, source=source,
    )
    decoder_part = {k: v for k, v in state_dict.items() if k.startswith(DECODER_PREFIXES)}
    if not decoder_part:
        return encoder, None
    return encoder, _decoder(decoder_part, decoder_num_heads, source)


def _decoder(state_dict, num_heads, source):
    for key in ("decoder_embed.weight", "decoder_pos_embed", "decoder_pred.weight"):
        if key not in state_dict:
            raise ValueError(f"{source}: the MAE decoder lacks {key!r}.")
    hidden_dim, encoder_dim = state_dict["decoder_embed.weight"].shape
    num_layers = 1 + max(
        int(k.split(".")[1]) for k in state_dict if k.startswith("decoder_blocks.")
    )
    decoder = MAEDecoder(
        num_patches=state_dict["decoder_pos_embed"].shape[1] - 1,
        output_dim=state_dict["decoder_pred.weight"].shape[0],
        hidden_dim=hidden_dim, num_layers=num_layers, num_heads=num_heads,
        mlp_dim=state_dict["decoder_blocks.0.mlp.fc1.weight"].shape[0],
        name="mae_decoder",
    )
    decoder.build([(None, decoder.num_patches + 1, encoder_dim), (None, decoder.num_patches)])
    assigner = StateDictAssigner(state_dict, source=source)
    vit_converter.assign_dense(assigner, decoder.embed, "decoder_embed")
    vit_converter.assign_dense(assigner, decoder.predict_pixels, "decoder_pred")
    assigner.assign(decoder.mask_token, "mask_token")
    assigner.assign(decoder.position_embedding, "decoder_pos_embed")
    for i, block in enumerate(decoder.blocks.encoder_layers):
        vit_converter.assign_block(assigner, block, f"decoder_blocks.{i}", DECODER_KEYS)
    vit_converter.assign_layer_norm(assigner, decoder.blocks.layer_norm, "decoder_norm")
    assigner.finish()
    return decoder

