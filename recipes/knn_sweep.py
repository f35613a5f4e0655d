"""Runs the `knn_sweep` recipe: `python recipes/knn_sweep.py --help` (same as `keras-ssl recipe knn_sweep`)."""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from keras_ssl.recipes import knn_sweep  # noqa: E402

if __name__ == "__main__":
    knn_sweep.main()
