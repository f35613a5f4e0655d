"""MoCo v3, NNCLR, DCL and DCLW: method-specific checks on tiny models."""

import json

import keras
import numpy as np
import pytest

from keras_ssl.methods.dcl import DCL
from keras_ssl.methods.dclw import DCLW
from keras_ssl.methods.moco_v3 import MoCoV3
from keras_ssl.methods.nnclr import NNCLR
from keras_ssl.methods.nnclr import nearest_neighbours
from keras_ssl.testing import deterministic_weights
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder
from tests.losses import numpy_references as ref

HEADS = {"projection_hidden_dim": 16, "projection_dim": 8}
METHODS = {
    MoCoV3: {"base_momentum": 0.9, "prediction_hidden_dim": 16, **HEADS},
    NNCLR: {"queue_size": 32, "prediction_hidden_dim": 16, **HEADS},
    DCL: {"temperature": 0.5, **HEADS},
    DCLW: {"temperature": 0.5, "sigma": 0.5, **HEADS},
}


def make_model(cls, **overrides):
    kwargs = {**METHODS[cls], **overrides}
    model = cls(tiny_encoder(), augmenter=tiny_augmenter(), **kwargs)
    model.compile(optimizer=keras.optimizers.AdamW(1e-2))
    return model


def images(n=24, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 255, (n, 8, 8, 3)).astype("float32")


def numpy_of(x):
    return np.asarray(keras.ops.convert_to_numpy(x), dtype=np.float64)


def _json(config):
    return json.loads(json.dumps(config))


@pytest.mark.parametrize("cls", list(METHODS), ids=lambda c: c.__name__)
def test_fit_is_finite_and_config_round_trips(cls):
    model = make_model(cls)
    history = model.fit(images(16), batch_size=8, epochs=1, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    clone = cls.from_config(model.get_config())
    assert _json(clone.get_config()) == _json(model.get_config())
    views = cls(tiny_encoder(), **METHODS[cls]).augmenter(images(4))
    assert len(views) == 2 and tuple(views[0].shape) == (4, 8, 8, 3)


def test_moco_v3_ema_is_exact_and_targets_not_trainable():
    model = make_model(MoCoV3)
    pairs = model.momentum_variable_pairs
    # Encoder and projector are averaged; the predictor has no target.
    online = model.encoder.trainable_weights
    assert len(pairs) == len(online) + len(model.projection_head.trainable_weights)
    trainable = {id(v) for v in model.trainable_variables}
    assert not {id(t) for _, t in pairs} & trainable
    assert not model.target_encoder.trainable_weights
    assert not model.target_projection_head.trainable_weights
    before = [numpy_of(t) for _, t in pairs]
    # One batch: the step runs at step 0, where the cosine momentum is the base.
    model.fit(images(8), batch_size=8, epochs=1, verbose=0)
    m = 0.9
    for (source, target), t0 in zip(pairs, before):
        expected = m * t0 + (1 - m) * numpy_of(source)
        np.testing.assert_allclose(numpy_of(target), expected, rtol=1e-6, atol=1e-7)
    assert any(not np.allclose(numpy_of(t), t0) for (_, t), t0 in zip(pairs, before))


def test_moco_v3_loss_matches_reference():
    model = make_model(MoCoV3, temperature=0.2)
    deterministic_weights(model, seed=3)
    views = [images(6, seed=1), images(6, seed=2)]
    loss, outputs = model.compute_ssl_loss(views, training=False)

    def query(view):
        z = model.projection_head(model.encoder(view))
        return numpy_of(model.prediction_head(z))

    def key(view):
        return numpy_of(model.target_projection_head(model.target_encoder(view)))

    q_1, q_2 = query(views[0]), query(views[1])
    k_1, k_2 = key(views[0]), key(views[1])
    expected = 2 * 0.2 * (
        ref.info_nce_reference(q_1, k_2, 0.2) + ref.info_nce_reference(q_2, k_1, 0.2)
    )
    np.testing.assert_allclose(float(numpy_of(loss)), expected, rtol=1e-5, atol=1e-5)
    assert tuple(outputs["embeddings"].shape) == (6, 8)


def test_nearest_neighbours_match_reference_and_are_support_rows():
    rng = np.random.default_rng(4)
    embeddings = rng.normal(size=(6, 5)).astype("float32")
    # Rows of very different norms: the look-up is by cosine, not dot product.
    norms = rng.uniform(0.1, 10, (20, 1))
    support = (rng.normal(size=(20, 5)) * norms).astype("float32")
    found = numpy_of(nearest_neighbours(embeddings, support))
    np.testing.assert_allclose(
        found, ref.nearest_neighbour_reference(embeddings, support), rtol=1e-6
    )
    # Each embedding's own support row is found when it is in the support.
    found = numpy_of(nearest_neighbours(support[:6] * 3.0, support))
    np.testing.assert_allclose(found, support[:6], rtol=1e-6)
    with pytest.raises(ValueError, match="support"):
        nearest_neighbours(embeddings, support[:, :4])
    with pytest.raises(ValueError, match="embeddings"):
        nearest_neighbours(embeddings[0], support)


def test_nnclr_loss_takes_the_neighbours_from_the_queue():
    model = make_model(NNCLR, temperature=0.2)
    deterministic_weights(model, seed=5)
    support = np.random.default_rng(6).normal(size=(32, 8)).astype("float32")
    model.queue.keys.assign(support)
    views = [images(6, seed=1), images(6, seed=2)]
    loss, _ = model.compute_ssl_loss(views, training=False)
    z = [numpy_of(model.projection_head(model.encoder(v))) for v in views]
    p = [numpy_of(model.prediction_head(z_i)) for z_i in z]
    neighbours = [ref.nearest_neighbour_reference(z_i, support) for z_i in z]
    for found in neighbours:
        assert all(any(np.allclose(row, s) for s in support) for row in found)
    terms = [
        ref.info_nce_reference(neighbours[0], p[1], 0.2),
        ref.info_nce_reference(p[1], neighbours[0], 0.2),
        ref.info_nce_reference(neighbours[1], p[0], 0.2),
        ref.info_nce_reference(p[0], neighbours[1], 0.2),
    ]
    np.testing.assert_allclose(
        float(numpy_of(loss)), np.mean(terms), rtol=1e-5, atol=1e-5
    )
    # Not training: the support set is left as it was.
    assert int(model.queue.pointer) == 0
    np.testing.assert_array_equal(numpy_of(model.queue.keys), support)


def test_nnclr_queue_pointer_advances_and_enqueues_projections():
    model = make_model(NNCLR, queue_size=12)
    before = numpy_of(model.queue.keys)
    model.fit(images(8), batch_size=8, epochs=1, verbose=0)
    assert int(model.queue.pointer) == 8
    keys = numpy_of(model.queue.keys)
    assert not np.allclose(keys[:8], before[:8])
    np.testing.assert_array_equal(keys[8:], before[8:])
    # Enqueued projections are L2-normalised.
    np.testing.assert_allclose(np.linalg.norm(keys[:8], axis=1), 1.0, atol=1e-5)
    # The second write wraps around the end: 16 keys into 12 rows.
    model.fit(images(8, seed=1), batch_size=8, epochs=1, verbose=0)
    assert int(model.queue.pointer) == 16 % 12


def test_nnclr_batch_larger_than_queue_raises():
    model = make_model(NNCLR, queue_size=4)
    with pytest.raises(ValueError, match="queue"):
        model.compute_ssl_loss([images(6), images(6, seed=1)], training=True)


@pytest.mark.parametrize("cls", [DCL, DCLW], ids=lambda c: c.__name__)
def test_dcl_methods_match_reference(cls):
    model = make_model(cls)
    deterministic_weights(model, seed=7)
    views = [images(6, seed=1), images(6, seed=2)]
    loss, _ = model.compute_ssl_loss(views, training=False)
    z = [numpy_of(model.projection_head(model.encoder(v))) for v in views]
    if cls is DCL:
        expected = ref.dcl_reference(z[0], z[1], 0.5)
    else:
        expected = ref.dclw_reference(z[0], z[1], 0.5, 0.5)
    np.testing.assert_allclose(float(numpy_of(loss)), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["temperature", "sigma"])
def test_bad_method_arguments_raise(name):
    with pytest.raises(ValueError, match=name):
        DCLW(tiny_encoder(), **{name: 0.0})
    if name == "temperature":
        for cls in (MoCoV3, NNCLR, DCL):
            with pytest.raises(ValueError, match=name):
                cls(tiny_encoder(), **{**METHODS[cls], name: -1.0})
