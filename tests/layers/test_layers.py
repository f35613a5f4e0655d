"""Heads (paper defaults, shapes, serialization) and the memory queue."""

import numpy as np
import keras
import pytest
from keras import ops

from keras_ssl import layers


@pytest.mark.parametrize(
    "cls, hidden, output, batch_norm",
    [
        (layers.SimCLRProjectionHead, 2048, 128, True),
        (layers.MoCoV2ProjectionHead, 2048, 128, False),
        (layers.BYOLProjectionHead, 4096, 256, True),
        (layers.BYOLPredictionHead, 4096, 256, True),
    ],
)
def test_paper_heads_defaults_and_round_trip(cls, hidden, output, batch_norm):
    head = cls()
    assert (head.hidden_dims, head.output_dim) == ([hidden], output)
    assert head.use_batch_norm is batch_norm
    small = cls(hidden_dim=16, output_dim=4)
    y = small(np.ones((3, 8), "float32"), training=True)
    assert tuple(y.shape) == (3, 4)
    norms = [w for w in small.weights if "norm" in w.path]
    assert bool(norms) is batch_norm
    clone = cls.from_config(small.get_config())
    assert clone.get_config() == small.get_config()


def test_projection_head_saves_inside_a_model(tmp_path):
    inputs = keras.Input((8,))
    head = layers.ProjectionHead([16, 16], output_dim=4, output_batch_norm=True)
    model = keras.Model(inputs, head(inputs))
    x = np.random.default_rng(0).normal(size=(5, 8)).astype("float32")
    path = str(tmp_path / "head.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_projection_head_bad_arguments():
    with pytest.raises(ValueError, match="output_dim"):
        layers.ProjectionHead([8], output_dim=0)
    with pytest.raises(ValueError, match="hidden_dims"):
        layers.ProjectionHead([8, -1], output_dim=4)


def test_queue_starts_normalised_and_wraps_in_order():
    queue = layers.MemoryQueue(size=5, dim=3, seed=0)
    np.testing.assert_allclose(np.linalg.norm(ops.convert_to_numpy(queue.keys), axis=1), 1, atol=1e-6)
    first = np.arange(9, dtype="float32").reshape(3, 3)
    second = -np.arange(1, 10, dtype="float32").reshape(3, 3)
    queue.enqueue(first)
    queue.enqueue(second)
    keys = ops.convert_to_numpy(queue.keys)
    # Rows 0-2 were `first`; `second` went to rows 3, 4 and wrapped to 0.
    np.testing.assert_array_equal(keys[[3, 4, 0]], second)
    np.testing.assert_array_equal(keys[1:3], first[1:])
    assert int(queue.pointer) == 1


def test_queue_errors():
    queue = layers.MemoryQueue(size=4, dim=2)
    with pytest.raises(ValueError, match="does not fit"):
        queue.enqueue(np.zeros((5, 2), "float32"))
    with pytest.raises(ValueError, match="width 2"):
        queue.enqueue(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="size"):
        layers.MemoryQueue(size=0, dim=2)


def test_queue_write_can_be_switched_off_in_the_step():
    queue = layers.MemoryQueue(size=4, dim=2, seed=0)
    before = ops.convert_to_numpy(queue.keys)
    batch = np.ones((3, 2), "float32")
    queue.enqueue(batch, enabled=ops.convert_to_tensor(False))
    np.testing.assert_array_equal(ops.convert_to_numpy(queue.keys), before)
    assert int(queue.pointer) == 0
    queue.enqueue(batch, enabled=ops.convert_to_tensor(True))
    np.testing.assert_array_equal(ops.convert_to_numpy(queue.keys)[:3], batch)
    assert int(queue.pointer) == 3
