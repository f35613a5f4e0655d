"""Reads checkpoint files into flat `{name: numpy array}` state dicts.

`.safetensors` files are read with the `safetensors` package's numpy API
(no torch, no pickle). Other files are PyTorch pickles, read through
`keras_ssl.backend.torch_checkpoint` with `torch.load(weights_only=True)`.
"""

import numpy as np

SAFETENSORS_SUFFIX = ".safetensors"


def read_checkpoint(path):
    """The content of the checkpoint file `path` (numpy arrays for tensors)."""
    if str(path).endswith(SAFETENSORS_SUFFIX):
        from safetensors.numpy import load_file

        return load_file(path)
    from keras_ssl.backend.torch_checkpoint import read_torch_checkpoint

    return read_torch_checkpoint(path)


def select_state_dict(checkpoint, key=None, path="checkpoint"):
    """The flat state dict inside `checkpoint`, under `key` when given.

    Args:
        checkpoint: dict. What `read_checkpoint` returned.
        key: str or None. The entry holding the weights (`"state_dict"`,
            `"model"`, `"teacher"` ...); None when the file is the state
            dict itself.
        path: str. The file name, for error messages.
    """
    if not isinstance(checkpoint, dict):
        raise ValueError(
            f"{path} holds a {type(checkpoint).__name__}, not a dict of weights."
        )
    if key is not None:
        if key not in checkpoint:
            raise ValueError(
                f"{path} has no entry {key!r}; its top-level entries are "
                f"{sorted(map(str, checkpoint))}."
            )
        checkpoint = checkpoint[key]
    weights = {k: v for k, v in checkpoint.items() if isinstance(v, np.ndarray)}
    if not weights or len(weights) != len(checkpoint):
        other = sorted(str(k) for k in checkpoint if k not in weights)[:8]
        raise ValueError(
            f"{path}{'' if key is None else f'[{key!r}]'} is not a flat state "
            f"dict of arrays (entries that are not arrays: {other}). Pass "
            "the entry that holds the weights as `checkpoint_key`."
        )
    return weights


def split_prefix(state_dict, prefix, allowed_outside=(), path="checkpoint"):
    """Keys under `prefix` with the prefix removed.

    Keys outside `prefix` must start with one of `allowed_outside` (the
    parts of the checkpoint that are known and deliberately not converted,
    e.g. MoCo's momentum encoder and queue); any other key is an error, so
    an unexpected layout is never half-read.
    """
    inner, unknown = {}, []
    for key, value in state_dict.items():
        if key.startswith(prefix):
            inner[key[len(prefix):]] = value
        elif not key.startswith(tuple(allowed_outside)):
            unknown.append(key)
    if unknown or not inner:
        raise ValueError(
            f"{path} does not have the expected layout: "
            + (f"no key starts with {prefix!r}" if not inner else
               f"unexpected keys {sorted(unknown)[:10]} (expected keys under "
               f"{prefix!r} or {list(allowed_outside)})")
            + f". First keys: {sorted(state_dict)[:6]}."
        )
    return inner
