"""Multi-crop presets (DINO, SwAV, MSN): view sizes, order, seeds, errors."""

import keras
import numpy as np
import pytest

from keras_ssl import augmentations
from keras_ssl.augmentations import RandomApply


def _layer_types(pipeline):
    return [
        (type(layer.layer).__name__, layer.rate)
        if isinstance(layer, RandomApply)
        else (type(layer).__name__, 1.0)
        for layer in pipeline.layers
    ]


@pytest.mark.parametrize(
    "preset, count_arg, size_arg",
    [
        (augmentations.swav_augmentation, "num_local_crops", "local_crop_size"),
        (augmentations.msn_augmentation, "num_focal_crops", "focal_crop_size"),
    ],
)
def test_two_sizes_in_order_and_seeded(preset, count_arg, size_arg):
    images = np.random.default_rng(0).uniform(0, 255, (2, 8, 8, 3)).astype("float32")
    augmenter = preset(8, **{count_arg: 3, size_arg: 4}, seed=0)
    views = [keras.ops.convert_to_numpy(v) for v in augmenter(images)]
    assert [v.shape for v in views] == [(2, 8, 8, 3)] * 2 + [(2, 4, 4, 3)] * 3
    assert all(v.min() >= 0 and v.max() <= 255 for v in views)
    again = preset(8, **{count_arg: 3, size_arg: 4}, seed=0)(images)
    for a, b in zip(views, again):
        np.testing.assert_allclose(a, keras.ops.convert_to_numpy(b), atol=1e-4)
    with pytest.raises(ValueError, match=count_arg):
        preset(8, **{count_arg: -1})
    with pytest.raises(ValueError, match=size_arg):
        preset(8, **{size_arg: 0})


def test_paper_settings_of_the_presets():
    # SwAV: jitter 0.8 / 0.2 and blur 0.5 on every crop (blur above 64 px).
    swav = augmentations.swav_augmentation(96, num_local_crops=1).augmentations
    assert [p.name for p in swav] == [
        "swav_global_view_1", "swav_global_view_2", "swav_local_view_3"
    ]
    assert all(("GaussianBlur", 0.5) in _layer_types(p) for p in swav)
    jitter = swav[0].layers[2].layer
    assert (jitter.brightness, jitter.hue) == (0.8, 0.2)
    # MSN: jitter strength 0.5 (0.4 / 0.1); crop scales (0.3, 1) and (0.05, 0.3).
    msn = augmentations.msn_augmentation(96, num_focal_crops=1).augmentations
    jitter = msn[0].layers[2].layer
    assert (jitter.brightness, jitter.hue) == (0.4, 0.1)
    assert tuple(msn[0].layers[0].scale) == (0.3, 1.0)
    assert tuple(msn[2].layers[0].scale) == (0.05, 0.3)
    assert msn[2].layers[0].height == 41  # 96 / 224 of 96
