import keras
import numpy as np
import pytest

from keras_ssl.augmentations import GaussianBlur
from keras_ssl.augmentations import MultiView
from keras_ssl.augmentations import RandomApply
from keras_ssl.augmentations import Solarize
from keras_ssl.augmentations import byol_augmentation
from keras_ssl.augmentations import moco_v2_augmentation
from keras_ssl.augmentations import simclr_augmentation

PRESETS = [simclr_augmentation, moco_v2_augmentation, byol_augmentation]


def _numpy(views):
    return [keras.ops.convert_to_numpy(view) for view in views]


def _layer_types(pipeline):
    names = []
    for layer in pipeline.layers:
        if isinstance(layer, RandomApply):
            names.append((type(layer.layer).__name__, layer.rate))
        else:
            names.append((type(layer).__name__, 1.0))
    return names


@pytest.mark.parametrize("preset", PRESETS)
def test_views_shape_dtype_and_range(preset, images):
    augmenter = preset(32, seed=0)
    assert isinstance(augmenter, MultiView)
    views = _numpy(augmenter(images.astype("uint8")))
    assert len(views) == 2
    for view in views:
        assert view.shape == images.shape and view.dtype == np.float32
        assert view.min() >= 0.0 and view.max() <= 255.0
    assert np.abs(views[0] - views[1]).mean() > 5.0


@pytest.mark.parametrize("preset", PRESETS)
def test_views_under_mixed_bfloat16_match_float32(preset, images):
    expected = _numpy(preset(32, seed=0)(images.astype("uint8")))
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        views = preset(32, seed=0)(images.astype("uint8"))
    finally:
        keras.config.set_dtype_policy("float32")
    for view, reference in zip(views, expected):
        assert keras.backend.standardize_dtype(view.dtype) == "bfloat16"
        view = keras.ops.convert_to_numpy(keras.ops.cast(view, "float32"))
        assert np.abs(view - reference).mean() < 1.5


@pytest.mark.parametrize("preset", PRESETS)
def test_same_seed_same_views(preset, images):
    a = _numpy(preset(32, seed=1)(images))
    b = _numpy(preset(32, seed=1)(images))
    for view_a, view_b in zip(a, b):
        np.testing.assert_allclose(view_a, view_b, atol=1e-4)


@pytest.mark.parametrize("preset", PRESETS)
def test_grayscale_images(preset, images):
    grey = images[..., :1]
    views = _numpy(preset(32, channels=1, seed=0)(grey))
    assert all(view.shape == grey.shape for view in views)


def test_blur_only_for_larger_images():
    small = _layer_types(simclr_augmentation(32).augmentations)
    large = _layer_types(simclr_augmentation(96).augmentations)
    assert ("GaussianBlur", 0.5) not in small
    assert ("GaussianBlur", 0.5) in large
    forced = _layer_types(simclr_augmentation(32, blur=True).augmentations)
    assert ("GaussianBlur", 0.5) in forced


def test_simclr_pipeline():
    layers = _layer_types(simclr_augmentation(224).augmentations)
    assert layers == [
        ("RandomResizedCrop", 1.0),
        ("RandomFlip", 1.0),
        ("ColorJitter", 0.8),
        ("RandomGrayscale", 0.2),
        ("GaussianBlur", 0.5),
    ]
    pipeline = simclr_augmentation(224, jitter_strength=0.5).augmentations
    jitter = pipeline.layers[2].layer
    assert (jitter.brightness, jitter.hue) == pytest.approx((0.4, 0.1))
    assert pipeline.layers[3].rate == 0.2
    assert pipeline.layers[4].layer.kernel_size == 23


def test_moco_v2_pipeline():
    pipeline = moco_v2_augmentation(224).augmentations
    assert pipeline.layers[0].scale == (0.2, 1.0)
    # Flip before colour: the same views, and no slow TensorFlow XLA fusion.
    assert _layer_types(pipeline)[1] == ("RandomFlip", 1.0)
    jitter = pipeline.layers[2].layer
    assert (jitter.brightness, jitter.contrast) == (0.4, 0.4)
    assert (jitter.saturation, jitter.hue) == (0.4, 0.1)
    assert _layer_types(pipeline)[-1] == ("GaussianBlur", 0.5)


def test_byol_views_are_asymmetric():
    first, second = byol_augmentation(224).augmentations
    first_types, second_types = _layer_types(first), _layer_types(second)
    assert ("GaussianBlur", 1.0) in first_types
    assert not any(name == "Solarize" for name, _ in first_types)
    assert ("GaussianBlur", 0.1) in second_types
    assert ("Solarize", 0.2) in second_types
    jitter = first.layers[2].layer
    assert (jitter.brightness, jitter.saturation, jitter.hue) == (0.4, 0.2, 0.1)
    small_first, _ = byol_augmentation(32).augmentations
    assert not any(isinstance(l, GaussianBlur) for l in small_first.layers)


def test_layers_get_distinct_seeds():
    pipeline = simclr_augmentation(96, seed=0).augmentations
    seeds = [layer.seed for layer in pipeline.layers]
    seeds += [pipeline.layers[i].layer.seed for i in (2, 3, 4)]
    assert len(set(seeds)) == len(seeds)


def test_get_config_round_trip(images):
    augmenter = byol_augmentation(32, seed=3)
    revived = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(augmenter)
    )
    for a, b in zip(_numpy(augmenter(images)), _numpy(revived(images))):
        np.testing.assert_allclose(a, b, atol=1e-4)
    solarize = revived.augmentations[1].layers[-1]
    assert isinstance(solarize.layer, Solarize)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="channels"):
        simclr_augmentation(32, channels=2)
    with pytest.raises(ValueError, match="image_size"):
        byol_augmentation(0)


@pytest.mark.parametrize("preset", PRESETS)
def test_compiled(preset, images, compiled_call):
    views = compiled_call(preset(32, seed=0), images)
    assert len(views) == 2 and views[0].shape == images.shape
    assert np.abs(views[0] - views[1]).mean() > 5.0


def test_compiled_with_blur(images, compiled_call):
    larger = np.repeat(np.repeat(images[:4], 3, axis=1), 3, axis=2)
    views = compiled_call(byol_augmentation(96, seed=0), larger)
    assert views[0].shape == (4, 96, 96, 3)


def test_tf_data(images, tf_data_call):
    batches = tf_data_call(simclr_augmentation(32, seed=0), images, 4)
    assert len(batches) == 2
    assert batches[0][0].shape == (4, 32, 32, 3)
    singles = tf_data_call(byol_augmentation(32, seed=0), images[:2])
    assert singles[0][1].shape == (32, 32, 3)
