"""Runs the `few_shot` recipe: `python recipes/few_shot.py --help` (same as `keras-ssl recipe few_shot`)."""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from keras_ssl.recipes import few_shot  # noqa: E402

if __name__ == "__main__":
    few_shot.main()
