"""Prototypes, RandomPatchMask and the SwAV / MSN heads."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_ssl import layers


def numpy_of(x):
    return np.asarray(ops.convert_to_numpy(x), dtype=np.float64)


def test_prototypes_output_cosines_in_float32():
    prototypes = layers.Prototypes(7)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32") * 30
    scores = prototypes(x)
    assert tuple(scores.shape) == (5, 7) and ops.dtype(scores) == "float32"
    p = numpy_of(prototypes.vectors)
    np.testing.assert_allclose(np.linalg.norm(p, axis=0), 1.0, atol=1e-6)
    unit_x = x / np.linalg.norm(x, axis=1, keepdims=True)
    np.testing.assert_allclose(numpy_of(scores), unit_x @ p, atol=1e-5)
    # Vectors set by hand are used normalised.
    prototypes.vectors.assign(3.0 * p.astype("float32"))
    np.testing.assert_allclose(numpy_of(prototypes(x)), unit_x @ p, atol=1e-5)


@pytest.mark.parametrize("keep_unit_norm", [True, False])
def test_optimizer_step_keeps_or_frees_the_norm(keep_unit_norm):
    prototypes = layers.Prototypes(6, keep_unit_norm=keep_unit_norm)
    prototypes.build((None, 4))
    optimizer = keras.optimizers.SGD(0.5)
    step = np.random.default_rng(1).normal(size=(4, 6)).astype("float32")
    optimizer.apply([ops.convert_to_tensor(step)], [prototypes.vectors])
    norms = np.linalg.norm(numpy_of(prototypes.vectors), axis=0)
    if keep_unit_norm:
        np.testing.assert_allclose(norms, 1.0, atol=1e-6)
    else:
        assert np.abs(norms - 1.0).max() > 0.1


def test_frozen_prototypes_get_a_zero_gradient_in_training():
    inputs = keras.Input((4,))
    prototypes = layers.Prototypes(6, name="prototypes")

    class Frozen(keras.layers.Layer):
        def call(self, x):
            return prototypes(x, frozen=ops.convert_to_tensor(True))

    model = keras.Sequential([inputs, keras.layers.Dense(4), Frozen()])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    before = numpy_of(prototypes.vectors)
    dense_before = numpy_of(model.layers[0].kernel)
    x = np.random.default_rng(2).normal(size=(8, 4)).astype("float32")
    y = np.random.default_rng(3).normal(size=(8, 6)).astype("float32")
    model.fit(x, y, epochs=2, verbose=0)
    np.testing.assert_allclose(numpy_of(prototypes.vectors), before, atol=1e-7)
    assert not np.allclose(numpy_of(model.layers[0].kernel), dense_before)


def test_prototypes_config_and_errors():
    prototypes = layers.Prototypes(9, keep_unit_norm=False, name="p")
    clone = layers.Prototypes.from_config(prototypes.get_config())
    assert clone.get_config() == prototypes.get_config()
    assert layers.Prototypes().num_prototypes == 3000
    with pytest.raises(ValueError, match="num_prototypes"):
        layers.Prototypes(0)


def test_patch_mask_partial_patches_and_identity():
    x = np.random.default_rng(4).uniform(0, 255, (3, 7, 5, 2)).astype("float32")
    mask = layers.RandomPatchMask(patch_size=3, mask_ratio=0.5, fill_value=-1.0, seed=1)
    out = numpy_of(mask(x))
    # A 3 x 2 grid of (partly cut) patches; keep floor(6 * 0.5) = 3.
    assert mask.num_masked(7, 5) == 3
    hidden = np.all(out == -1.0, axis=-1)
    np.testing.assert_array_equal(out[~hidden], x[~hidden])
    grid = np.pad(hidden, ((0, 0), (0, 2), (0, 1))).reshape(3, 3, 3, 2, 3)
    assert all(g.any(axis=(1, 3)).sum() == 3 for g in grid)
    none = layers.RandomPatchMask(patch_size=3, mask_ratio=0.0)
    np.testing.assert_array_equal(numpy_of(none(x)), x)


def test_patch_mask_config_and_errors():
    mask = layers.RandomPatchMask(4, 0.3, 0.0, seed=2)
    clone = layers.RandomPatchMask.from_config(mask.get_config())
    assert clone.get_config() == mask.get_config()
    with pytest.raises(ValueError, match="mask_ratio"):
        layers.RandomPatchMask(mask_ratio=1.0)
    with pytest.raises(ValueError, match="patch_size"):
        layers.RandomPatchMask(patch_size=0)
    with pytest.raises(TypeError, match="fill_value"):
        layers.RandomPatchMask(fill_value="grey")
    with pytest.raises(ValueError, match="images"):
        mask(np.zeros((4, 4, 3), "float32"))


def test_swav_and_msn_heads_paper_defaults():
    swav = layers.SwAVProjectionHead()
    assert (swav.hidden_dims, swav.output_dim, swav.use_batch_norm) == ([2048], 128, True)
    msn = layers.MSNProjectionHead()
    assert (msn.hidden_dims, msn.output_dim, msn.activation) == ([2048, 2048], 256, "gelu")
    small = layers.MSNProjectionHead(hidden_dim=16, output_dim=4)
    assert tuple(small(np.ones((3, 8), "float32"), training=True).shape) == (3, 4)
    assert sum("norm" in w.path for w in small.weights) == 8  # 2 BN x 4 variables
    clone = layers.MSNProjectionHead.from_config(small.get_config())
    assert clone.get_config() == small.get_config()
    with pytest.raises(ValueError, match="Unknown activation|activation"):
        layers.ProjectionHead([4], 2, activation="nonsense")
