"""Runs the `linear_probe` recipe: `python recipes/linear_probe.py --help` (same as `keras-ssl recipe linear_probe`)."""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from keras_ssl.recipes import linear_probe  # noqa: E402

if __name__ == "__main__":
    linear_probe.main()
