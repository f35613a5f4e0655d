"""Pretext-task methods: training, labels, Lab maths, saving, bad input."""

import itertools
import json

import numpy as np
import keras
import pytest

from keras_ssl.methods import colorization
from keras_ssl.methods import jigsaw
from keras_ssl.methods import relative_patch_location as rpl
from keras_ssl.methods import rotation_prediction as rotation
from keras_ssl.testing import deterministic_weights
from keras_ssl.testing import tiny_encoder
from keras_ssl.testing import weights_of

# name: (class, encoder input shape, constructor args, image size, metric)
METHODS = {
    "rotation": (rotation.RotationPrediction, (8, 8, 3), {}, 8,
                 "rotation_accuracy"),
    "jigsaw": (jigsaw.Jigsaw, (3, 3, 3),
               {"num_permutations": 10, "hidden_dim": 16}, 12,
               "jigsaw_accuracy"),
    "patches": (rpl.RelativePatchLocation, (3, 3, 3), {"hidden_dim": 16}, 12,
                "location_accuracy"),
    "color_classes": (colorization.Colorization, (8, 8, 1),
                      {"output_size": 2}, 8, "ab_error"),
    "color_l2": (colorization.Colorization, (8, 8, 1),
                 {"output_size": 2, "mode": "regression"}, 8, "ab_error"),
}
# Measured on JAX, then checked on TensorFlow and PyTorch (float32, CPU).
GOLDEN = {
    "color_classes": 6.5019369,
    "color_l2": 0.1393375,
    "jigsaw": 2.7248497,
    "patches": 2.4568193,
    "rotation": 1.5565059,
}


def make_model(name, **overrides):
    cls, shape, kwargs, _, _ = METHODS[name]
    model = cls(tiny_encoder(shape), **{**kwargs, **overrides})
    model.compile(optimizer=keras.optimizers.AdamW(1e-2))
    return model


def images(n, size, seed=0, channels=3):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 255, (n, size, size, channels)).astype("float32")


def numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_fit_three_steps_finite_and_weights_move(name):
    model = make_model(name)
    before = weights_of(model.encoder)
    logs = model.fit(images(24, METHODS[name][3]), batch_size=8, verbose=0)
    assert np.all(np.isfinite(logs.history["loss"]))
    assert np.isfinite(logs.history[METHODS[name][4]][-1])
    after = weights_of(model.encoder)
    assert any(not np.array_equal(b, a) for b, a in zip(before, after))
    assert int(model.optimizer.iterations) == 3


@pytest.mark.parametrize("name", sorted(METHODS))
def test_keras_file_round_trip_with_probe(name, tmp_path):
    model = make_model(name, num_classes=3)
    size = METHODS[name][3]
    x, y = images(16, size), np.arange(16) % 3
    logs = model.fit(x, y, batch_size=8, verbose=0)
    assert "probe_accuracy" in logs.history
    model.save(str(tmp_path / "model.keras"))
    loaded = keras.saving.load_model(str(tmp_path / "model.keras"))
    assert type(loaded) is type(model)
    assert json.dumps(loaded.get_config()) == json.dumps(model.get_config())
    x = images(4, size, seed=3)
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6
    )
    for a, b in zip(weights_of(loaded), weights_of(model)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_default_augmenter_makes_one_view_of_the_image_size(name):
    size = METHODS[name][3]
    views = make_model(name).augmenter(images(4, size))
    assert len(views) == 1 and tuple(views[0].shape) == (4, size, size, 3)


def golden_loss(name):
    model = make_model(name)
    deterministic_weights(model, seed=0)
    # 15-pixel images give the 3-pixel patches 1 pixel of jitter.
    x = images(6, 15 if name == "patches" else METHODS[name][3], seed=1)
    rng = np.random.default_rng(2)
    if name == "jigsaw":
        labels = rng.integers(0, 10, 6).astype("int32")
        offsets = rng.integers(0, 2, (6, 9, 2)).astype("int32")
        loss, _ = model.jigsaw_loss(x, labels, offsets, training=True)
    elif name == "patches":
        labels = rng.integers(0, 8, 6).astype("int32")
        jitter = rng.integers(-1, 2, (6, 2, 2)).astype("int32")
        loss, _ = model.location_loss(x, labels, jitter, training=True)
    else:
        loss, _ = model.compute_ssl_loss([x], training=True)
    return float(numpy(loss))


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_loss_is_backend_independent(name):
    np.testing.assert_allclose(golden_loss(name), GOLDEN[name], atol=1e-5)


# === Labels: rotations, permutations, patch positions ===


def test_rotations_equal_numpy_rot90_and_carry_their_label():
    x = images(3, 4)
    for turns in (0, 1, 2, 3, 5, -1):
        np.testing.assert_array_equal(
            numpy(rotation.rotate90(x, turns)), np.rot90(x, turns, axes=(1, 2))
        )
    rotated, labels = map(numpy, rotation.rotation_batch(x))
    assert labels.tolist() == [0] * 3 + [1] * 3 + [2] * 3 + [3] * 3
    for k in range(4):
        np.testing.assert_array_equal(
            rotated[labels == k], np.rot90(x, k, axes=(1, 2))
        )


def _hamming(a, b):
    return np.sum(a[:, None, :] != b[None, :, :], axis=-1)


def test_permutation_set_size_distinct_and_far_apart():
    perms = jigsaw.hamming_permutation_set(100, seed=0)
    assert perms.shape == (100, 9)
    assert all(sorted(p) == list(range(9)) for p in perms.tolist())
    assert len({tuple(p) for p in perms.tolist()}) == 100
    distances = _hamming(perms, perms)[~np.eye(100, dtype=bool)]
    # Measured for seed 0; a random set of 100 has pairs at distance 2.
    assert distances.min() == 4
    np.testing.assert_allclose(distances.mean(), 8.08, atol=0.005)
    same = jigsaw.hamming_permutation_set(100, seed=0)
    np.testing.assert_array_equal(perms, same)
    assert not np.array_equal(perms, jigsaw.hamming_permutation_set(100, 1))


def test_permutation_set_is_greedy_in_summed_hamming_distance():
    perms = jigsaw.hamming_permutation_set(6, seed=3)
    every = np.array(list(itertools.permutations(range(9))))
    chosen = np.zeros(len(every), bool)
    for k in range(1, len(perms)):
        chosen[np.all(every == perms[k - 1], axis=1)] = True
        best = _hamming(perms[:k], every).sum(axis=0)[~chosen].max()
        assert _hamming(perms[:k], perms[k : k + 1]).sum() == best


def _coded_images(batch, cell):
    """Every pixel holds its cell (row 300s, col 100s) and place in the cell."""
    i = np.arange(3 * cell)
    code = (i[:, None] // cell) * 300 + (i[None, :] // cell) * 100
    code = code + (i[:, None] % cell) * 10 + i[None, :] % cell
    shape = (batch, 3 * cell, 3 * cell, 2)
    return np.broadcast_to(code[None, :, :, None], shape).astype("float32")


def _crop(image, cell, cell_size, top, left, size=3):
    top, left = (cell // 3) * cell_size + top, (cell % 3) * cell_size + left
    return image[top : top + size, left : left + size]


def test_shuffled_tiles_follow_the_permutation_and_offsets():
    x = _coded_images(2, 4)
    order = np.array([list(range(9)), [8, 0, 7, 1, 6, 2, 5, 3, 4]], "int32")
    offsets = np.random.default_rng(0).integers(0, 2, (2, 9, 2)).astype("int32")
    tiles = numpy(jigsaw.shuffled_tiles(x, order, offsets, (3, 3)))
    assert tiles.shape == (2, 9, 3, 3, 2)
    for b, i in itertools.product(range(2), range(9)):
        expected = _crop(x[b], order[b, i], 4, *offsets[b, i])
        np.testing.assert_array_equal(tiles[b, i], expected)


def test_patch_pairs_cut_the_centre_and_the_labelled_neighbour():
    x = _coded_images(8, 5)
    labels = np.arange(8, dtype="int32")
    jitter = np.random.default_rng(1).integers(-1, 2, (8, 2, 2)).astype("int32")
    pairs = numpy(rpl.patch_pairs(x, labels, jitter, (3, 3)))
    for b, slot in itertools.product(range(8), range(2)):
        cell = 4 if slot == 0 else rpl.NEIGHBOUR_CELLS[labels[b]]
        expected = _crop(x[b], cell, 5, *(1 + jitter[b, slot]))
        np.testing.assert_array_equal(pairs[b, slot], expected)
    # Reading order: label 0 is the top-left cell, 4 the right, 6 the bottom.
    assert [rpl.NEIGHBOUR_CELLS[k] for k in (0, 4, 6)] == [0, 5, 7]


# === Lab colours ===


def numpy_lab(rgb):
    """Independent float64 sRGB (0..255) -> CIE Lab (D65, 2 degrees)."""
    c = np.asarray(rgb, np.float64) / 255.0
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    m = np.array([[0.4124564, 0.3575761, 0.1804375],
                  [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = c @ m.T / np.array([0.95047, 1.0, 1.08883])
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    fx, fy, fz = f[..., 0], f[..., 1], f[..., 2]
    return np.stack([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], -1)


def test_rgb_to_lab_matches_float64_reference():
    known = [[255, 255, 255], [0, 0, 0], [255, 0, 0], [0, 255, 0],
             [0, 0, 255], [128, 128, 128], [255, 255, 0], [0, 255, 255],
             [255, 0, 255], [3, 5, 8], [10, 10, 10], [12, 200, 77]]
    random = np.random.default_rng(0).integers(0, 256, (64, 3))
    rgb = np.concatenate([known, random]).astype("float32")
    lab = numpy(colorization.rgb_to_lab(rgb))
    np.testing.assert_allclose(lab, numpy_lab(rgb), rtol=0, atol=1e-4)
    np.testing.assert_allclose(lab[:2], [[100, 0, 0], [0, 0, 0]], atol=1e-4)
    np.testing.assert_allclose(lab[2], [53.2408, 80.0925, 67.2032], atol=1e-3)


def test_cell_mean_ab_averages_each_cell():
    lab = np.random.default_rng(0).normal(size=(2, 4, 6, 3)).astype("float32")
    means = numpy(colorization.cell_mean_ab(lab, 2))
    expected = lab[..., 1:].reshape(2, 2, 2, 2, 3, 2).mean(axis=(2, 4))
    np.testing.assert_allclose(means, expected.reshape(2, 4, 2), atol=1e-6)


# === Bad input ===

BAD_ARGUMENTS = [
    ("rotation", {"hidden_dim": 0}, ValueError, "hidden_dim"),
    ("jigsaw", {"num_permutations": 1}, ValueError, "num_permutations"),
    ("jigsaw", {"num_permutations": 1001}, ValueError, "num_permutations"),
    ("jigsaw", {"num_permutations": "9"}, TypeError, "num_permutations"),
    ("jigsaw", {"permutation_seed": 1.5}, TypeError, "permutation_seed"),
    ("jigsaw", {"tile_size": 4}, ValueError, "tile_size"),
    ("patches", {"max_jitter": -1}, ValueError, "max_jitter"),
    ("patches", {"max_jitter": 1.5}, TypeError, "max_jitter"),
    ("patches", {"patch_size": 2}, ValueError, "patch_size"),
    ("color_classes", {"mode": "lab"}, ValueError, "mode"),
    ("color_classes", {"ab_grid_size": 0.0}, ValueError, "ab_grid_size"),
    ("color_classes", {"output_size": 0}, ValueError, "output_size"),
]


@pytest.mark.parametrize("name, kwargs, error, match", BAD_ARGUMENTS)
def test_bad_constructor_argument_is_named(name, kwargs, error, match):
    with pytest.raises(error, match=match):
        make_model(name, **kwargs)


def test_bad_encoders_and_images_are_named():
    with pytest.raises(ValueError, match=r"square.*\(8, 6, 3\)"):
        rotation.RotationPrediction(tiny_encoder((8, 6, 3)))
    with pytest.raises(ValueError, match=r"\(2, 4, 6, 3\)"):
        rotation.rotation_batch(np.zeros((2, 4, 6, 3), "float32"))
    with pytest.raises(ValueError, match="tile_size"):
        jigsaw.Jigsaw(tiny_encoder((None, None, 3)))
    with pytest.raises(ValueError, match="patch_size"):
        rpl.RelativePatchLocation(tiny_encoder((None, None, 3)))
    with pytest.raises(ValueError, match=r"tile \(3, 3\) must fit.*\(9, 9\)"):
        make_model("jigsaw").fit(images(8, 8), batch_size=8, verbose=0)
    with pytest.raises(ValueError, match=r"patch \(3, 3\) must fit"):
        make_model("patches").fit(images(8, 6), batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="1 channel"):
        colorization.Colorization(tiny_encoder((8, 8, 3)))
    with pytest.raises(ValueError, match="channels=3"):
        make_model("color_l2").fit(images(8, 8, channels=1), verbose=0)
    encoder = tiny_encoder((None, None, 1))
    model = colorization.Colorization(encoder, output_size=9)
    with pytest.raises(ValueError, match="output_size"):
        model.compute_ssl_loss([images(2, 8)])


def test_jigsaw_with_any_size_encoder_trains_on_tiles_and_embeds_images():
    model = jigsaw.Jigsaw(
        tiny_encoder((None, None, 3)), tile_size=3, num_permutations=4,
        hidden_dim=None,
    )
    model.compile(optimizer="adam")
    model.fit(images(8, 11), batch_size=8, verbose=0)
    assert model.encoder.predict(images(2, 11), verbose=0).shape == (2, 8)


@pytest.mark.parametrize("name", ["jigsaw", "patches"])
def test_tile_methods_embed_images_as_grid_ordered_piece_features(name):
    model = make_model(name)
    x = images(2, 12, seed=4)  # 4-pixel cells, 3-pixel pieces centred at +0
    features = model.predict(x, verbose=0)
    pieces = [
        model.encoder.predict(x[:, r * 4 : r * 4 + 3, c * 4 : c * 4 + 3], verbose=0)
        for r in range(3)
        for c in range(3)
    ]
    np.testing.assert_allclose(features, np.concatenate(pieces, axis=1), atol=1e-5)
