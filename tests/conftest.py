"""Test configuration shared by every backend run.

The suite is run once per backend (`KERAS_BACKEND=jax|tensorflow|torch`).
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _clear_session():
    keras.backend.clear_session()
    keras.utils.set_random_seed(1337)
    yield
