"""Converters from official PyTorch checkpoints to keras_ssl encoders.

`convert_checkpoint(path, family)` reads a `.pth` (with
`torch.load(weights_only=True)`, never a full unpickle) or `.safetensors`
file (numpy only), finds the encoder's weights by the family's layout,
builds the matching Keras encoder and copies every weight, checking that
each key of the file is used (or deliberately left out) and that every
shape matches; any difference is reported by key.
"""

import os

from keras_ssl.presets.converters import official_checkpoints
from keras_ssl.presets.converters.checkpoint_reader import read_checkpoint
from keras_ssl.presets.converters.checkpoint_reader import select_state_dict
from keras_ssl.presets.converters.checkpoint_reader import split_prefix
from keras_ssl.presets.converters.mae_converter import mae_from_state_dict
from keras_ssl.presets.converters.resnet_converter import resnet_from_state_dict
from keras_ssl.presets.converters.state_dict_assigner import StateDictAssigner
from keras_ssl.presets.converters.vit_converter import vit_from_state_dict

FAMILIES = tuple(sorted(official_checkpoints.FAMILIES))


def encoder_state_dict(path, family, checkpoint_key=None, prefix=None, outside=None):
    """The encoder's flat state dict (prefix removed) inside a checkpoint file."""
    spec = official_checkpoints.get_family(family)
    checkpoint = read_checkpoint(path)
    source = os.path.basename(str(path))
    key, key_prefix, left_out = spec["key"], spec["prefix"], spec.get("outside", ())
    full = spec.get("full")
    if checkpoint_key is None and full and isinstance(checkpoint, dict) and full[0] in checkpoint:
        key, key_prefix, left_out = full
    outside = left_out if outside is None else outside
    if checkpoint_key is not None:
        key = checkpoint_key
    if prefix is not None:
        key_prefix = prefix
    if outside is not None:
        outside = tuple(outside)
    state_dict = select_state_dict(checkpoint, key, source)
    return split_prefix(state_dict, key_prefix, outside, source)


def convert_checkpoint(path, family, num_heads=None, checkpoint_key=None, prefix=None,
                       outside=None, image_shape=(224, 224, 3),
                       input_normalization="imagenet"):
    """Converts the encoder of an official checkpoint file to Keras.

    Args:
        path: str. A `.pth` / `.pth.tar` / `.pt` or `.safetensors` file.
        family: str. One of `FAMILIES`, e.g. `"moco_v2_resnet"`,
            `"dino_vit"`, `"mae_vit"`, `"timm_vit"`, `"torchvision_resnet"`.
        num_heads: int or None. Attention heads of a ViT (required unless
            the family fixes it: MoCo v3 uses 12).
        checkpoint_key: str or None. Override the entry holding the
            weights (e.g. `"student"` for a DINO full checkpoint).
        prefix: str or None. Override the key prefix of the encoder.
        outside: tuple of str or None. Override the prefixes of keys
            outside `prefix` that are deliberately left out (e.g.
            `("module.head.",)` for a DINO student).
        image_shape: tuple. Input shape of a ResNet encoder (a ViT's comes
            from its position embeddings). Defaults to `(224, 224, 3)`.
        input_normalization: as for `keras_ssl.encoders.ResNet`. Defaults
            to `"imagenet"`, the statistics all these models were trained
            with; the encoder takes `[0, 255]` pixels.

    Returns:
        A functional `keras.Model` mapping images to `(batch, dim)`
        features (for MAE, the encoder; see `convert_mae_checkpoint`).

    Example:

    ```python
    encoder = keras_ssl.presets.convert_checkpoint(
        "moco_v2_800ep_pretrain.pth.tar", "moco_v2_resnet"
    )
    ```
    """
    spec = official_checkpoints.get_family(family)
    state_dict = encoder_state_dict(path, family, checkpoint_key, prefix, outside)
    source = os.path.basename(str(path))
    if spec["arch"] == official_checkpoints.RESNET:
        return resnet_from_state_dict(
            state_dict, image_shape, input_normalization, spec["ignore"], source,
        )
    heads = _num_heads(num_heads, spec, family)
    if spec["arch"] == official_checkpoints.MAE:
        return mae_from_state_dict(state_dict, heads, input_normalization=input_normalization,
                                   source=source)[0]
    encoder, _ = vit_from_state_dict(
        state_dict, heads, spec.get("layout", "timm"), input_normalization,
        ignore_prefixes=spec["ignore"], source=source,
    )
    return encoder


def convert_mae_checkpoint(path, num_heads, decoder_num_heads=16,
                           input_normalization="imagenet"):
    """`(encoder, decoder)` of an MAE file; decoder is None if it has none."""
    state_dict = encoder_state_dict(path, "mae_vit")
    return mae_from_state_dict(
        state_dict, num_heads, decoder_num_heads, input_normalization,
        source=os.path.basename(str(path)),
    )


def load_converted_entry(entry, load_weights=True, sha256=None, allow_unpinned=False):
    """Downloads (verified) and converts the checkpoint of a zoo entry."""
    from keras_ssl.presets.download import fetch_verified

    if not load_weights:
        raise ValueError(
            f"Zoo entry {entry['name']!r} is a converted checkpoint: its "
            "architecture is read from the file, so `load_weights=False` is "
            "not supported."
        )
    (file_name, facts), = entry["files"].items()
    path = fetch_verified(
        entry["source"], sha256=sha256 or facts.get("sha256"),
        cache_subdir=os.path.join("checkpoints", entry["name"]),
        allow_unpinned=allow_unpinned, filename=file_name,
    )
    _check_published_md5(path, entry)
    return convert_checkpoint(path, **entry["converter"])


def _check_published_md5(path, entry):
    # Some authors publish an MD5 prefix (MoCo's README): a cheap extra
    # check, useful on the first, unpinned download.
    prefix = entry.get("published_md5_prefix")
    if not prefix:
        return
    import hashlib

    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    if not digest.hexdigest().startswith(prefix):
        raise ValueError(
            f"{path} does not match the MD5 prefix {prefix} its authors "
            f"published (got {digest.hexdigest()}): wrong or corrupted file."
        )


def _num_heads(num_heads, spec, family):
    heads = num_heads or spec.get("num_heads")
    if heads is None:
        raise ValueError(
            f"Family {family!r} is a ViT: pass `num_heads` (6 for DINO's "
            "ViT-S, 12 for ViT-B, 16 for ViT-L)."
        )
    return heads


__all__ = [
    "FAMILIES",
    "StateDictAssigner",
    "convert_checkpoint",
    "convert_mae_checkpoint",
    "encoder_state_dict",
    "load_converted_entry",
]
