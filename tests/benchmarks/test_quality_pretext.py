"""benchmarks/quality_pretext.py: the pretext methods it builds for 32x32 images."""

import os
import sys

import numpy as np
import pytest

BENCHMARKS = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks")
sys.path.insert(0, os.path.abspath(BENCHMARKS))

import quality_pretext  # noqa: E402


@pytest.mark.parametrize("method", sorted(quality_pretext.EPOCHS))
def test_built_encoder_embeds_whole_images(method):
    # The evaluation embeds whole 32x32 images, also for the methods that
    # train the encoder on tiles or patches.
    model = quality_pretext.build(method)
    # Colorization's encoder sees the lightness channel only.
    images = np.zeros((2, 32, 32, model.encoder.input_shape[-1]), "float32")
    features = model.encoder.predict(images, verbose=0)
    assert features.shape == (2, 256)


def test_unknown_method_is_rejected_by_name():
    with pytest.raises(ValueError, match="'inpainting'"):
        quality_pretext.build("inpainting")


@pytest.mark.parametrize("method", quality_pretext.TILE_METHODS)
def test_tile_methods_are_scored_on_their_grid_of_tile_features(method):
    model = quality_pretext.build(method)
    images = np.zeros((2, 32, 32, 3), "float32")
    assert model.predict(images, verbose=0).shape == (2, 9 * 256)
