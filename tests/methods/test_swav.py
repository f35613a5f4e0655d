"""SwAV: multi-crop, prototype freezing and normalisation, queue, loss, errors."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_ssl import encoders
from keras_ssl import methods
from keras_ssl.testing import deterministic_weights
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder
from tests.losses import numpy_references as ref

SMALL = {"projection_hidden_dim": 16, "projection_dim": 8, "num_prototypes": 12}


def any_size_encoder():
    return encoders.SmallCNN(image_shape=(None, None, 3), widths=(4, 8), strides=(2, 2))


def images(n=24, size=8, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (n, size, size, 3)).astype("float32")


def numpy_of(x):
    return np.asarray(ops.convert_to_numpy(x), dtype=np.float64)


def make_swav(encoder=None, **overrides):
    """Two same-size views from a cheap augmenter unless overridden."""
    kwargs = {"image_size": 8, "num_local_crops": 0, "augmenter": tiny_augmenter(), **SMALL}
    model = methods.SwAV(encoder or tiny_encoder(), **{**kwargs, **overrides})
    model.compile(optimizer=keras.optimizers.AdamW(1e-2))
    return model


def unit_columns(x):
    x = numpy_of(x)
    return x / np.linalg.norm(x, axis=0, keepdims=True)


def test_fit_on_multi_crop_views_of_two_sizes():
    # Pre-made views (the preset's own shapes are tested with the presets).
    views = [images(16, seed=i) for i in range(2)] + [
        images(16, size=4, seed=2 + i) for i in range(2)
    ]
    model = make_swav(any_size_encoder())
    before = numpy_of(model.encoder.weights[0])
    history = model.fit((views,), batch_size=8, epochs=1, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert 0 < history.history["embedding_std"][0] <= 1
    assert not np.allclose(numpy_of(model.encoder.weights[0]), before)


@pytest.mark.parametrize("freeze_epochs", [1, 0])
def test_prototypes_frozen_in_the_first_epoch_then_learn(freeze_epochs):
    model = make_swav(freeze_prototypes_epochs=freeze_epochs)
    before = numpy_of(model.prototypes.vectors)
    encoder_before = numpy_of(model.encoder.weights[0])
    model.fit(images(24), batch_size=8, epochs=1, verbose=0)
    assert float(model.steps_per_epoch) == 3.0 and float(model.train_steps_done) == 3.0
    after_one = numpy_of(model.prototypes.vectors)
    assert not np.allclose(numpy_of(model.encoder.weights[0]), encoder_before)
    if freeze_epochs:
        # AdamW's decay scales them; the constraint re-normalises: no change.
        np.testing.assert_allclose(after_one, before, atol=1e-6)
    else:
        assert np.abs(after_one - before).max() > 1e-3
    model.fit(images(24), batch_size=8, epochs=1, verbose=0)
    assert np.abs(numpy_of(model.prototypes.vectors) - after_one).max() > 1e-3


def test_prototypes_stay_unit_norm_after_updates():
    model = make_swav(freeze_prototypes_epochs=0)
    model.fit(images(24), batch_size=8, epochs=2, verbose=0)
    norms = np.linalg.norm(numpy_of(model.prototypes.vectors), axis=0)
    np.testing.assert_allclose(norms, 1.0, atol=1e-5)


def test_queue_starts_at_its_epoch_and_advances():
    model = make_swav(queue_size=16, queue_start_epoch=1)
    # The two flips of the tiny augmenter are drawn independently.
    keys_before = numpy_of(model.queues[0].keys)
    model.fit(images(24), batch_size=8, epochs=1, verbose=0)
    # Epoch 1 (index 0) is before the start: nothing queued.
    assert float(model.queue_filled) == 0.0 and int(model.queues[0].pointer) == 0
    np.testing.assert_array_equal(numpy_of(model.queues[0].keys), keys_before)
    model.fit(images(16), batch_size=8, epochs=1, verbose=0)
    assert float(model.queue_filled) == 16.0
    assert int(model.queues[0].pointer) == 0 and int(model.queues[1].pointer) == 0
    keys = numpy_of(model.queues[0].keys)
    assert not np.allclose(keys, keys_before)
    np.testing.assert_allclose(np.linalg.norm(keys, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(keys, numpy_of(model.queues[1].keys))


def _crop_scores(model, views):
    z = [numpy_of(model.projection_head(model.encoder(v))) for v in views]
    p = unit_columns(model.prototypes.vectors)
    return [(zi / np.linalg.norm(zi, axis=1, keepdims=True)) @ p for zi in z]


@pytest.mark.parametrize("queue_full", [False, True])
def test_loss_matches_reference_and_uses_the_queue_only_when_full(queue_full):
    model = make_swav(queue_size=8)
    deterministic_weights(model, seed=3)
    views = [images(6, seed=1), images(6, seed=2)]
    queued = [np.random.default_rng(4 + i).normal(size=(8, 8)) for i in range(2)]
    for queue, keys in zip(model.queues, queued):
        queue.keys.assign((keys / np.linalg.norm(keys, axis=1, keepdims=True)).astype("float32"))
    model.queue_filled.assign(8.0 if queue_full else 7.0)
    loss, outputs = model.compute_ssl_loss(views, training=False)
    scores = _crop_scores(model, views)
    p = unit_columns(model.prototypes.vectors)
    queue = [numpy_of(q.keys) @ p for q in model.queues] if queue_full else None
    expected = ref.swav_reference(scores, 0.1, 0.05, 3, queue=queue)
    np.testing.assert_allclose(float(numpy_of(loss)), expected, rtol=1e-5, atol=1e-5)
    assert tuple(outputs["features"].shape) == (6, 8)


def test_bad_inputs():
    with pytest.raises(ValueError, match="image_shape=\\(None, None, channels\\)"):
        methods.SwAV(tiny_encoder(), image_size=8, num_local_crops=2, **SMALL)
    for name in ("queue_size", "queue_start_epoch", "freeze_prototypes_epochs"):
        with pytest.raises(ValueError, match=name):
            make_swav(**{name: -1})
    for name in ("temperature", "sinkhorn_epsilon"):
        with pytest.raises(ValueError, match=name):
            make_swav(**{name: 0.0})
    with pytest.raises(ValueError, match="num_prototypes"):
        make_swav(num_prototypes=0)
    model = make_swav(queue_size=4)
    with pytest.raises(ValueError, match="does not fit a queue of size 4"):
        model.compute_ssl_loss([images(6), images(6, seed=1)], training=True)
    with pytest.raises(ValueError, match="2 global crops"):
        model.compute_ssl_loss([images(6)], training=True)

    def batches():
        while True:
            yield images(8)

    with pytest.raises(ValueError, match="steps_per_epoch"):
        make_swav().fit(batches(), epochs=1, verbose=0)
