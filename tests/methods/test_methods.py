"""The battery every method passes: training, EMA, queue, probe, saving, seeds."""

import json

import numpy as np
import keras
import pytest

from keras_ssl import methods
from keras_ssl.testing import deterministic_weights
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder
from keras_ssl.testing import weights_of

HEADS = {"projection_hidden_dim": 16, "projection_dim": 8}
METHOD_KWARGS = {
    "SimCLR": {"temperature": 0.5, **HEADS},
    "MoCoV2": {"queue_size": 32, "base_momentum": 0.9, **HEADS},
    "BYOL": {"base_momentum": 0.9, **HEADS},
    "SimSiam": {"projection_dim": 8, "prediction_hidden_dim": 4},
    "BarlowTwins": HEADS,
    "VICReg": HEADS,
    "MoCoV3": {"base_momentum": 0.9, "prediction_hidden_dim": 16, **HEADS},
    "NNCLR": {"queue_size": 32, "prediction_hidden_dim": 16, **HEADS},
    "DCL": {"temperature": 0.5, **HEADS},
    "DCLW": {"temperature": 0.5, **HEADS},
    # Two same-size views from the tiny augmenter: no local crops here
    # (tests/methods/test_dino.py covers multi-crop).
    "DINO": {
        "image_size": 8,
        "num_local_crops": 0,
        "head_hidden_dim": 16,
        "head_bottleneck_dim": 8,
        "head_output_dim": 32,
        "base_momentum": 0.9,
    },
    # Two same-size views here too (test_swav.py / test_msn.py cover
    # multi-crop); a queue of 2 batches, in use from the third step.
    "SwAV": {
        "image_size": 8,
        "num_local_crops": 0,
        "num_prototypes": 12,
        "queue_size": 16,
        "queue_start_epoch": 0,
        **HEADS,
    },
    # A fixed mask seed: models compared step by step draw the same masks.
    "MSN": {
        "image_size": 8,
        "num_focal_crops": 0,
        "num_prototypes": 12,
        "mask_patch_size": 2,
        "mask_seed": 3,
        "base_momentum": 0.9,
        **HEADS,
    },
}
MOMENTUM_METHODS = ["MoCoV2", "BYOL", "MoCoV3", "DINO", "MSN"]


def make_model(name, num_classes=None, **overrides):
    kwargs = {**METHOD_KWARGS[name], **overrides}
    model = getattr(methods, name)(
        tiny_encoder(), augmenter=tiny_augmenter(), num_classes=num_classes, **kwargs
    )
    model.compile(optimizer=keras.optimizers.AdamW(1e-2))
    return model


def images(n=24, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 255, (n, 8, 8, 3)).astype("float32")


@pytest.mark.parametrize("name", sorted(METHOD_KWARGS))
def test_fit_three_steps_finite_and_weights_move(name):
    model = make_model(name)
    before = weights_of(model.encoder)
    history = model.fit(images(24), batch_size=8, epochs=1, verbose=0)
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses))
    assert 0 < history.history["embedding_std"][-1] <= 1
    after = weights_of(model.encoder)
    moved = [not np.array_equal(b, a) for b, a in zip(before, after)]
    assert any(moved)
    assert int(model.optimizer.iterations) == 3


@pytest.mark.parametrize("name", MOMENTUM_METHODS)
def test_ema_target_is_exact_and_gets_no_gradient(name):
    model = make_model(name)
    pairs = model.momentum_variable_pairs
    assert pairs
    targets = {id(t) for _, t in pairs}
    assert not targets & {id(v) for v in model.trainable_variables}
    target_before = [keras.ops.convert_to_numpy(t) for _, t in pairs]
    # One batch, so the step runs at step 0 where the cosine momentum = base.
    model.fit(images(8), batch_size=8, epochs=1, verbose=0)
    m = 0.9
    for (online, target), t0 in zip(pairs, target_before):
        expected = m * t0 + (1 - m) * keras.ops.convert_to_numpy(online)
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(target), expected, rtol=1e-6, atol=1e-7
        )
    # The online weights moved, so the target moved by EMA only.
    assert any(
        not np.allclose(keras.ops.convert_to_numpy(t), t0)
        for (_, t), t0 in zip(pairs, target_before)
    )


@pytest.mark.parametrize("name", MOMENTUM_METHODS)
def test_momentum_of_one_freezes_targets(name):
    model = make_model(name, base_momentum=1.0)
    before = [keras.ops.convert_to_numpy(t) for _, t in model.momentum_variable_pairs]
    model.fit(images(16), batch_size=8, epochs=1, verbose=0)
    after = [keras.ops.convert_to_numpy(t) for _, t in model.momentum_variable_pairs]
    for b, a in zip(before, after):
        np.testing.assert_array_equal(b, a)


def test_cosine_momentum_schedule_values():
    model = make_model("BYOL")
    model.momentum_total_steps.assign(100.0)
    values = [float(model.momentum(s)) for s in (0, 50, 100, 200)]
    np.testing.assert_allclose(values, [0.9, 0.95, 1.0, 1.0], atol=1e-6)
    model.fit(images(24), batch_size=8, epochs=2, verbose=0)
    assert float(model.momentum_total_steps) == 6.0


def test_moco_queue_pointer_advances_and_wraps_without_dropping():
    model = make_model("MoCoV2", queue_size=12)
    model.fit(images(16), batch_size=8, epochs=1, verbose=0)
    # 2 batches of 8 keys into 12 rows: the second write wraps to row 0.
    assert int(model.queue.pointer) == 16 % 12
    keys = keras.ops.convert_to_numpy(model.queue.keys)
    assert np.all(np.isfinite(keys))
    model.fit(images(8), batch_size=8, epochs=1, verbose=0)
    assert int(model.queue.pointer) == 24 % 12


def test_moco_queue_holds_the_last_keys():
    model = make_model("MoCoV2", queue_size=32)
    model.fit(images(8), batch_size=8, epochs=1, verbose=0)
    keys = keras.ops.convert_to_numpy(model.queue.keys)
    # Rows 0..7 were written with this batch's keys: (projection outputs)
    # different from the initial unit-norm noise rows that remain.
    assert not np.allclose(np.linalg.norm(keys[:8], axis=1), 1.0, atol=1e-3)
    np.testing.assert_allclose(np.linalg.norm(keys[8:], axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("name", sorted(METHOD_KWARGS))
def test_online_probe_learns_without_touching_encoder(name):
    x, y = images(16), np.arange(16) % 3
    with_labels = make_model(name, num_classes=3)
    without = make_model(name, num_classes=3)
    without.set_weights(with_labels.get_weights())
    history = with_labels.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    without.fit(x, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert "probe_accuracy" in history.history
    for a, b in zip(weights_of(with_labels.encoder), weights_of(without.encoder)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    probe_moved = weights_of(with_labels.probe)[0]
    assert not np.allclose(probe_moved, weights_of(without.probe)[0])


@pytest.mark.parametrize("name", sorted(METHOD_KWARGS))
def test_same_seed_gives_same_first_losses(name):
    def run():
        keras.utils.set_random_seed(7)
        model = make_model(name)
        h = model.fit(images(24), batch_size=8, epochs=2, verbose=0, shuffle=False)
        return h.history["loss"]

    np.testing.assert_allclose(run(), run(), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(METHOD_KWARGS))
def test_keras_file_round_trip(name, tmp_path):
    model = make_model(name, num_classes=3)
    model.fit(images(16), np.arange(16) % 3, batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    assert _json(loaded.get_config()) == _json(model.get_config())
    x = images(4, seed=3)
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6
    )
    for a, b in zip(weights_of(loaded), weights_of(model)):
        np.testing.assert_array_equal(a, b)
    encoder = keras.saving.load_model(_save_encoder(model, tmp_path))
    np.testing.assert_allclose(
        encoder.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6
    )


def _json(config):
    return json.loads(json.dumps(config))


def _save_encoder(model, tmp_path):
    path = str(tmp_path / "encoder.keras")
    model.encoder.save(path)
    return path


@pytest.mark.parametrize("name", sorted(METHOD_KWARGS))
def test_get_config_round_trip_and_default_augmenter(name):
    cls = getattr(methods, name)
    model = cls(tiny_encoder(), **METHOD_KWARGS[name])
    clone = cls.from_config(model.get_config())
    assert _json(clone.get_config()) == _json(model.get_config())
    views = model.augmenter(images(4))
    assert len(views) == 2 and tuple(views[0].shape) == (4, 8, 8, 3)


def test_fit_accepts_views_datasets_and_pydatasets():
    import tensorflow as tf

    model = make_model("SimCLR", num_classes=3)
    x, y = images(16), np.arange(16) % 3
    model.fit((x, x[:, ::-1]), batch_size=8, verbose=0)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    h = model.fit(ds, verbose=0)
    assert "probe_accuracy" in h.history
    views_ds = tf.data.Dataset.from_tensor_slices((x, x)).batch(8)
    model.fit(views_ds, verbose=0)

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return x[8 * i : 8 * i + 8]

    assert model.fit(Batches(), verbose=0).history["loss"]
