"""Barlow Twins and VICReg losses vs NumPy references, properties and errors."""

import numpy as np
import pytest
from keras import ops

from keras_ssl import losses
from tests.losses import numpy_references as ref

SHAPES = [(2, 3), (5, 8), (16, 32)]


def _pair(shape, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return (
        (scale * rng.normal(size=shape)).astype("float32"),
        (scale * rng.normal(size=shape)).astype("float32"),
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("lambda_", [5e-3, 0.1, 1.0])
def test_barlow_twins_matches_reference(shape, lambda_):
    a, b = _pair(shape, seed=10)
    value = float(losses.barlow_twins_loss(a, b, lambda_=lambda_))
    expected = ref.barlow_twins_reference(a, b, lambda_)
    np.testing.assert_allclose(value, expected, rtol=1e-4, atol=1e-4)


def test_barlow_twins_symmetric_class_agrees_and_minimum():
    a, b = _pair((8, 6), seed=11)
    value = float(losses.barlow_twins_loss(a, b))
    np.testing.assert_allclose(value, float(losses.barlow_twins_loss(b, a)), rtol=1e-5)
    np.testing.assert_allclose(value, float(losses.BarlowTwinsLoss()(a, b)), rtol=1e-6)
    # Identical views, dimensions of mean 0, variance 1 and uncorrelated:
    # C = I (up to BatchNorm's epsilon), the minimum 0.
    white = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]], "float32")
    assert 0.0 <= float(losses.barlow_twins_loss(white, white)) < 1e-8


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("scale", [0.1, 1.0, 5.0])
def test_vicreg_matches_reference(shape, scale):
    a, b = _pair(shape, seed=12, scale=scale)
    value, terms = losses.vicreg_loss(a, b, return_terms=True)
    expected, expected_terms = ref.vicreg_reference(a, b)
    np.testing.assert_allclose(float(value), expected, rtol=1e-4, atol=1e-5)
    for name, want in zip(("invariance", "variance", "covariance"), expected_terms):
        np.testing.assert_allclose(float(terms[name]), want, rtol=1e-4, atol=1e-5)


def test_vicreg_weights_symmetry_and_class():
    a, b = _pair((8, 6), seed=13)
    value = float(losses.vicreg_loss(a, b, 1.0, 2.0, 3.0))
    expected, _ = ref.vicreg_reference(a, b, 1.0, 2.0, 3.0)
    np.testing.assert_allclose(value, expected, rtol=1e-4)
    np.testing.assert_allclose(value, float(losses.vicreg_loss(b, a, 1.0, 2.0, 3.0)), rtol=1e-5)
    np.testing.assert_allclose(
        value, float(losses.VICRegLoss(1.0, 2.0, 3.0)(a, b)), rtol=1e-6
    )


def test_collapsed_embeddings_pay_the_variance_hinge():
    collapsed = np.ones((8, 4), "float32")
    _, terms = losses.vicreg_loss(collapsed, collapsed, return_terms=True)
    # std = sqrt(0 + 1e-4) = 0.01 per dimension: hinge 0.99.
    np.testing.assert_allclose(float(terms["variance"]), 0.99, atol=1e-6)
    assert float(terms["invariance"]) == 0.0


def test_mixed_precision_inputs_give_float32_losses():
    a, b = _pair((8, 16), seed=14)
    half = [ops.cast(x, "float16") for x in (a, b)]
    exact = [np.float16(x).astype("float32") for x in (a, b)]
    value = losses.barlow_twins_loss(*half)
    assert ops.dtype(value) == "float32"
    np.testing.assert_allclose(
        float(value), ref.barlow_twins_reference(*exact, 5e-3), rtol=1e-4
    )
    value = losses.vicreg_loss(*half)
    assert ops.dtype(value) == "float32"
    np.testing.assert_allclose(float(value), ref.vicreg_reference(*exact)[0], rtol=1e-4)


def test_bad_inputs_raise():
    a, b = _pair((4, 8))
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="lambda_"):
            losses.barlow_twins_loss(a, b, lambda_=bad)
        with pytest.raises(ValueError, match="variance_weight"):
            losses.VICRegLoss(variance_weight=bad)
    with pytest.raises(ValueError, match="at least 2 samples"):
        losses.barlow_twins_loss(a[:1], b[:1])
    with pytest.raises(ValueError, match="at least 2 samples"):
        losses.vicreg_loss(a[:1], b[:1])
    with pytest.raises(ValueError, match="same batch size"):
        losses.vicreg_loss(a, b[:3])
    with pytest.raises(ValueError, match="embedding size"):
        losses.barlow_twins_loss(a, b[:, :5])
    with pytest.raises(ValueError, match="sample_weight"):
        losses.BarlowTwinsLoss()(a, b, sample_weight=np.ones(4))
