"""Each loss against its independent NumPy reference, symmetry and errors."""

import numpy as np
import pytest
from keras import ops

from keras_ssl import losses
from tests.losses import numpy_references as ref

SHAPES = [(2, 3), (5, 8), (16, 32)]
TEMPERATURES = [0.05, 0.1, 0.5, 1.0, 10.0]


def _pair(shape, seed=0):
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=shape).astype("float32"),
        rng.normal(size=shape).astype("float32"),
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("temperature", TEMPERATURES)
def test_ntxent_matches_reference(shape, temperature):
    a, b = _pair(shape)
    value = float(losses.ntxent(a, b, temperature=temperature))
    expected = ref.ntxent_reference(a, b, temperature)
    np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", SHAPES)
def test_ntxent_is_symmetric_and_class_agrees(shape):
    a, b = _pair(shape, seed=1)
    forward = float(losses.ntxent(a, b, 0.3))
    np.testing.assert_allclose(forward, float(losses.ntxent(b, a, 0.3)), rtol=1e-6)
    np.testing.assert_allclose(
        forward, float(losses.NTXent(temperature=0.3)(a, b)), rtol=1e-6
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("temperature", TEMPERATURES)
def test_info_nce_in_batch_matches_reference(shape, temperature):
    q, k = _pair(shape, seed=2)
    value = float(losses.info_nce(q, k, temperature=temperature))
    np.testing.assert_allclose(
        value, ref.info_nce_reference(q, k, temperature), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("queue", [1, 7, 64])
@pytest.mark.parametrize("temperature", [0.07, 0.2, 1.0])
def test_info_nce_queue_matches_reference(queue, temperature):
    q, k = _pair((6, 16), seed=3)
    negatives = np.random.default_rng(4).normal(size=(queue, 16)).astype("float32")
    value = float(losses.InfoNCE(temperature)(q, k, negatives=negatives))
    expected = ref.info_nce_reference(q, k, temperature, negatives)
    np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-5)


def test_info_nce_queue_allows_batch_of_one():
    q, k = _pair((1, 4), seed=5)
    negatives = np.eye(4, dtype="float32")
    value = float(losses.info_nce(q, k, 0.2, negatives=negatives))
    np.testing.assert_allclose(
        value, ref.info_nce_reference(q, k, 0.2, negatives), rtol=1e-5
    )
    assert value > 0


@pytest.mark.parametrize("shape", SHAPES)
def test_negative_cosine_matches_reference_and_range(shape):
    p, z = _pair(shape, seed=6)
    value = float(losses.negative_cosine_similarity(p, z))
    np.testing.assert_allclose(value, ref.negative_cosine_reference(p, z), rtol=1e-5)
    np.testing.assert_allclose(
        float(losses.NegativeCosineSimilarity()(p, p)), -1.0, atol=1e-6
    )
    np.testing.assert_allclose(
        float(losses.negative_cosine_similarity(p, -p)), 1.0, atol=1e-6
    )


def test_extreme_cosines_at_low_temperature_are_finite_and_exact():
    # Cosines of exactly +1 / -1 with t = 1e-3: logits of +-1000 in float32.
    a = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], dtype="float32")
    b = a * 1e4
    value = float(losses.ntxent(a, b, temperature=1e-3))
    assert np.isfinite(value)
    np.testing.assert_allclose(value, ref.ntxent_reference(a, b, 1e-3), atol=1e-4)


def test_mixed_precision_inputs_give_float32_loss():
    a, b = _pair((8, 16), seed=7)
    value = losses.ntxent(ops.cast(a * 100, "float16"), ops.cast(b, "float16"), 0.1)
    assert ops.dtype(value) == "float32"
    expected = ref.ntxent_reference(
        np.float16(a * 100).astype("float32"), np.float16(b).astype("float32"), 0.1
    )
    np.testing.assert_allclose(float(value), expected, rtol=1e-4)


@pytest.mark.parametrize("temperature", [0, -0.1, float("nan"), float("inf")])
def test_bad_temperature_raises(temperature):
    with pytest.raises(ValueError, match="temperature"):
        losses.NTXent(temperature=temperature)
    with pytest.raises(ValueError, match="temperature"):
        losses.InfoNCE(temperature=temperature)
    a, b = _pair((4, 3))
    with pytest.raises(ValueError, match="temperature"):
        losses.ntxent(a, b, temperature=temperature)


def test_temperature_of_wrong_type_raises():
    with pytest.raises(TypeError, match="temperature"):
        losses.NTXent(temperature="0.1")


def test_batch_of_one_without_negatives_raises():
    a, b = _pair((1, 8))
    with pytest.raises(ValueError, match="no negatives"):
        losses.ntxent(a, b)
    with pytest.raises(ValueError, match="batch size 1"):
        losses.info_nce(a, b)


def test_mismatched_shapes_raise():
    a, _ = _pair((4, 8))
    b, _ = _pair((5, 8))
    with pytest.raises(ValueError, match="same batch size"):
        losses.ntxent(a, b)
    with pytest.raises(ValueError, match="embedding size"):
        losses.negative_cosine_similarity(a, a[:, :4])
    with pytest.raises(ValueError, match="rank 2"):
        losses.ntxent(a[None], a[None])
    with pytest.raises(ValueError, match="negatives"):
        losses.info_nce(a, a, negatives=np.ones((3, 5), "float32"))
