"""DCL and DCLW losses vs NumPy references, properties and errors."""

import numpy as np
import pytest
from keras import ops

from keras_ssl.losses.dcl_loss import DCLLoss
from keras_ssl.losses.dcl_loss import dcl_loss
from keras_ssl.losses.dclw_loss import DCLWLoss
from keras_ssl.losses.dclw_loss import dclw_loss
from keras_ssl.losses.dclw_loss import von_mises_fisher_weights
from keras_ssl.losses.ntxent import ntxent
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
def test_dcl_matches_reference(shape, temperature):
    a, b = _pair(shape, seed=20)
    value = float(dcl_loss(a, b, temperature=temperature))
    expected = ref.dcl_reference(a, b, temperature)
    np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("temperature", [0.1, 0.5, 1.0])
@pytest.mark.parametrize("sigma", [0.1, 0.5, 2.0])
def test_dclw_matches_reference(shape, temperature, sigma):
    a, b = _pair(shape, seed=21)
    value = float(dclw_loss(a, b, temperature=temperature, sigma=sigma))
    expected = ref.dclw_reference(a, b, temperature, sigma)
    np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", SHAPES)
def test_von_mises_fisher_weights_match_reference_and_average_one(shape):
    a, b = _pair(shape, seed=22)
    weights = ops.convert_to_numpy(von_mises_fisher_weights(a, b, sigma=0.5))
    expected = ref.von_mises_fisher_weights_reference(a, b, 0.5)
    np.testing.assert_allclose(weights, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(weights.mean(), 1.0, atol=1e-6)


@pytest.mark.parametrize("shape", SHAPES)
def test_symmetric_and_classes_agree(shape):
    a, b = _pair(shape, seed=23)
    dcl = float(dcl_loss(a, b, 0.3))
    np.testing.assert_allclose(dcl, float(dcl_loss(b, a, 0.3)), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(dcl, float(DCLLoss(temperature=0.3)(a, b)), rtol=1e-6)
    dclw = float(dclw_loss(a, b, 0.3, sigma=0.7))
    np.testing.assert_allclose(
        dclw, float(dclw_loss(b, a, 0.3, sigma=0.7)), rtol=1e-6, atol=1e-6
    )
    np.testing.assert_allclose(
        dclw, float(DCLWLoss(temperature=0.3, sigma=0.7)(a, b)), rtol=1e-6
    )


def test_dcl_is_ntxent_without_the_positive_term_in_the_denominator():
    # NT-Xent - DCL = mean over anchors of log(1 + exp(pos) / sum(exp(neg))),
    # which is > 0: DCL is always below NT-Xent.
    a, b = _pair((6, 8), seed=24)
    assert float(dcl_loss(a, b, 0.5)) < float(ntxent(a, b, 0.5))


def test_constant_weight_fn_equals_unit_weights():
    a, b = _pair((5, 8), seed=25)
    ones = float(dcl_loss(a, b, 0.2, weight_fn=lambda x, y: ops.ones((5,))))
    np.testing.assert_allclose(ones, float(dcl_loss(a, b, 0.2)), rtol=1e-6)
    twos = float(dcl_loss(a, b, 0.2, weight_fn=lambda x, y: 2.0 * ops.ones((5,))))
    expected = ref.dcl_reference(a, b, 0.2, weights=np.full(5, 2.0))
    np.testing.assert_allclose(twos, expected, rtol=1e-5, atol=1e-5)


def test_config_round_trip():
    loss = DCLWLoss(temperature=0.2, sigma=0.3)
    clone = DCLWLoss.from_config(loss.get_config())
    assert (clone.temperature, clone.sigma) == (0.2, 0.3)
    assert DCLLoss.from_config(DCLLoss(0.4).get_config()).temperature == 0.4


def test_float16_inputs_give_float32_losses():
    a, b = _pair((8, 16), seed=26)
    half = [ops.cast(x, "float16") for x in (a, b)]
    exact = [np.float16(x).astype("float32") for x in (a, b)]
    value = dcl_loss(*half, temperature=0.1)
    assert ops.dtype(value) == "float32"
    np.testing.assert_allclose(
        float(value), ref.dcl_reference(*exact, 0.1), rtol=1e-4, atol=1e-4
    )
    value = dclw_loss(*half, temperature=0.1, sigma=0.5)
    assert ops.dtype(value) == "float32"
    np.testing.assert_allclose(
        float(value), ref.dclw_reference(*exact, 0.1, 0.5), rtol=1e-4, atol=1e-4
    )


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_temperature_and_sigma_raise(bad):
    a, b = _pair((4, 8))
    with pytest.raises(ValueError, match="temperature"):
        dcl_loss(a, b, temperature=bad)
    with pytest.raises(ValueError, match="temperature"):
        DCLLoss(temperature=bad)
    with pytest.raises(ValueError, match="sigma"):
        dclw_loss(a, b, sigma=bad)
    with pytest.raises(ValueError, match="sigma"):
        DCLWLoss(sigma=bad)


def test_bad_inputs_raise():
    a, b = _pair((4, 8))
    with pytest.raises(ValueError, match="at least 2 images"):
        dcl_loss(a[:1], b[:1])
    with pytest.raises(ValueError, match="at least 2 images"):
        dclw_loss(a[:1], b[:1])
    with pytest.raises(ValueError, match="z_b"):
        dcl_loss(a, b[:3])
    with pytest.raises(ValueError, match="embedding size"):
        dclw_loss(a, b[:, :5])
    with pytest.raises(ValueError, match="rank 2"):
        dcl_loss(a[0], b[0])
    with pytest.raises(TypeError, match="weight_fn"):
        dcl_loss(a, b, weight_fn=2.0)
    with pytest.raises(ValueError, match="weight_fn"):
        dcl_loss(a, b, weight_fn=lambda x, y: ops.ones((3,)))
    with pytest.raises(ValueError, match="sample_weight"):
        DCLWLoss()(a, b, sample_weight=np.ones(4))
