"""Runs the `pretrain` recipe: `python recipes/pretrain.py --help` (same as `keras-ssl recipe pretrain`)."""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from keras_ssl.recipes import pretrain  # noqa: E402

if __name__ == "__main__":
    pretrain.main()
