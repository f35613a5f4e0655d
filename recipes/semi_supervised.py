"""Runs the `semi_supervised` recipe: `python recipes/semi_supervised.py --help` (same as `keras-ssl recipe semi_supervised`)."""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from keras_ssl.recipes import semi_supervised  # noqa: E402

if __name__ == "__main__":
    semi_supervised.main()
