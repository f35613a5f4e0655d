"""Views made in the train step: TensorFlow compiles the augmenter with XLA."""

import keras
import numpy as np
import pytest

from keras_ssl import augmentations
from keras_ssl import methods
from keras_ssl.testing import tiny_encoder

pytestmark = pytest.mark.skipif(
    keras.config.backend() != "tensorflow",
    reason="only the TensorFlow trainer compiles the augmenter on its own",
)


def fit_simclr(augmenter, run_eagerly=False):
    keras.utils.set_random_seed(0)
    model = methods.SimCLR(
        tiny_encoder(), augmenter=augmenter, projection_hidden_dim=8, projection_dim=4
    )
    model.compile(optimizer=keras.optimizers.AdamW(1e-3), run_eagerly=run_eagerly)
    images = np.random.default_rng(0).uniform(0, 255, (16, 8, 8, 3)).astype("float32")
    history = model.fit(images, batch_size=8, epochs=1, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    return model


def test_paper_augmenter_is_compiled_with_xla():
    model = fit_simclr(augmentations.simclr_augmentation(8, seed=0))
    assert "_xla_augmenter" in model.__dict__


def test_layer_without_jit_support_runs_without_xla():
    flip = keras.layers.RandomFlip("horizontal", seed=0)
    flip.supports_jit = False
    model = fit_simclr(augmentations.MultiView(flip, num_views=2))
    assert "_xla_augmenter" not in model.__dict__


def test_eager_model_runs_augmenter_without_xla():
    model = fit_simclr(augmentations.simclr_augmentation(8, seed=0), run_eagerly=True)
    assert "_xla_augmenter" not in model.__dict__
