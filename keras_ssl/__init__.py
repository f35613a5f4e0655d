"""keras_ssl: self-supervised learning for Keras 3 on JAX, TensorFlow, PyTorch.

Subpackages load on first use, so `keras-ssl --backend X` can choose the
Keras backend before Keras is imported.
"""

import importlib

__version__ = "0.1.0"

_SUBPACKAGES = (
    "augmentations",
    "datasets",
    "encoders",
    "evaluation",
    "layers",
    "losses",
    "methods",
    "pipeline",
    "presets",
    "recipes",
)


def __getattr__(name):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"keras_ssl.{name}")
    raise AttributeError(f"module 'keras_ssl' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBPACKAGES))
