"""Runs the `lora_finetune` recipe: `python recipes/lora_finetune.py --help` (same as `keras-ssl recipe lora_finetune`)."""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from keras_ssl.recipes import lora_finetune  # noqa: E402

if __name__ == "__main__":
    lora_finetune.main()
