"""Reads PyTorch checkpoint files into numpy without running their pickles.

A `.pth` file is a zip of tensors plus a pickle that says how to assemble
them. A pickle may call any Python function while it is read, so the file is
opened with `torch.load(weights_only=True)`, whose unpickler only builds
tensors, containers and plain values, and there is no fallback to a full
unpickle: a file that needs one is refused. `argparse.Namespace` (the
training arguments that DINO and other repositories store beside the
weights) is the one extra class allowed; it only sets attributes.

This is the only module of keras_ssl that imports torch for checkpoints; it
works whatever `KERAS_BACKEND` is, reading on the CPU.
"""

import argparse
import pickle

import numpy as np


def _import_torch():
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            "Reading a PyTorch checkpoint (.pth/.pt/.bin) needs the `torch` "
            "package: `pip install torch` (the CPU build is enough), or "
            "convert the file to .safetensors, which keras_ssl reads with "
            "numpy alone."
        ) from error
    return torch


def read_torch_checkpoint(path):
    """Loads a PyTorch checkpoint as nested dicts of numpy arrays.

    Tensors become numpy arrays (bfloat16 and float16 become float32), dicts
    and lists keep their structure, and other plain values (epoch numbers,
    strings, `argparse.Namespace`) are returned as they are.

    Args:
        path: str. The checkpoint file.

    Returns:
        The checkpoint's content with numpy arrays in place of tensors.

    Raises:
        ValueError: the file holds a pickle that `weights_only` refuses
            (for example one that would call a function): it is never
            executed.
    """
    torch = _import_torch()
    try:
        with torch.serialization.safe_globals([argparse.Namespace]):
            content = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        raise ValueError(
            f"Refused to read {path!r}: it is not a plain weights file "
            f"(torch.load with weights_only=True refused it: {error}). "
            "keras_ssl never unpickles checkpoints fully, since that can run "
            "arbitrary code; convert the file to .safetensors in a trusted "
            "environment."
        ) from error
    except RuntimeError as error:
        raise ValueError(
            f"{path!r} is not a readable PyTorch checkpoint ({error})."
        ) from error
    return _to_numpy(content, torch)


def _to_numpy(value, torch):
    if isinstance(value, torch.Tensor):
        tensor = value.detach().cpu()
        if tensor.dtype in (torch.bfloat16, torch.float16):
            tensor = tensor.float()
        return tensor.numpy()
    if isinstance(value, dict):
        return {key: _to_numpy(item, torch) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_numpy(item, torch) for item in value)
    if isinstance(value, np.ndarray):
        return value
    return value
