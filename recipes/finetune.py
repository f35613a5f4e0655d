"""Runs the `finetune` recipe: `python recipes/finetune.py --help` (same as `keras-ssl recipe finetune`)."""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from keras_ssl.recipes import finetune  # noqa: E402

if __name__ == "__main__":
    finetune.main()
