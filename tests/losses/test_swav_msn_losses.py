"""Sinkhorn-Knopp, SwAV and MSN losses vs their NumPy references; gradients; errors."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_ssl import losses
from tests.losses import numpy_references as ref


def cosines(b, k, seed):
    """Scores like the Prototypes layer's: cosine similarities (b, k)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(b, 6))
    p = rng.normal(size=(6, k))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    p /= np.linalg.norm(p, axis=0, keepdims=True)
    return (x @ p).astype("float32")


def gradient(fn, x):
    """d fn(x) / dx on the active backend (test-only); zeros when unconnected."""
    backend = keras.config.backend()
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(fn)(x))
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.Variable(x)
        with tf.GradientTape() as tape:
            y = fn(x)
        grad = tape.gradient(y, x)
        return np.zeros_like(x.numpy()) if grad is None else grad.numpy()
    import torch

    x = torch.tensor(x, requires_grad=True)
    y = fn(x)
    if y.grad_fn is None:
        return np.zeros(tuple(x.shape), "float32")
    y.backward()
    return x.grad.numpy()


@pytest.mark.parametrize("shape", [(4, 3), (16, 5)])
@pytest.mark.parametrize("iterations", [1, 3])
@pytest.mark.parametrize("epsilon", [0.05, 0.5])
def test_sinkhorn_matches_reference(shape, iterations, epsilon):
    scores = cosines(*shape, seed=shape[0] + iterations)
    codes = ops.convert_to_numpy(losses.sinkhorn(scores, epsilon, iterations))
    expected = ref.sinkhorn_reference(np.exp(scores.astype("float64") / epsilon), iterations)
    np.testing.assert_allclose(codes, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(codes.sum(axis=1), 1.0, rtol=1e-5)
    assert codes.dtype == np.float32


def test_sinkhorn_balances_the_prototypes():
    scores = cosines(30, 5, seed=1)
    # One iteration leaves the prototypes unbalanced; many balance them.
    few = ops.convert_to_numpy(losses.sinkhorn(scores, 0.05, 1)).sum(axis=0)
    many = ops.convert_to_numpy(losses.sinkhorn(scores, 0.05, 200)).sum(axis=0)
    np.testing.assert_allclose(many, 6.0, rtol=1e-3)
    assert np.abs(few - 6.0).max() > 10 * np.abs(many - 6.0).max()


def test_sinkhorn_mask_equals_dropping_the_rows():
    scores = cosines(10, 4, seed=2)
    mask = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1], "float32")
    masked = ops.convert_to_numpy(losses.sinkhorn(scores, 0.05, 3, sample_mask=mask))
    kept = ops.convert_to_numpy(losses.sinkhorn(scores[3:], 0.05, 3))
    np.testing.assert_allclose(masked[3:], kept, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(masked[:3], 0.0)


def test_sinkhorn_knopp_of_probabilities_matches_reference():
    rng = np.random.default_rng(3)
    probs = rng.dirichlet(np.ones(7), size=9).astype("float32")
    out = ops.convert_to_numpy(losses.sinkhorn_knopp(probs, 3))
    np.testing.assert_allclose(out, ref.sinkhorn_reference(probs, 3), rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("num_crops", [2, 3, 6])
@pytest.mark.parametrize("temperature", [0.1, 0.5])
def test_swav_loss_matches_reference(num_crops, temperature):
    scores = [cosines(8, 5, seed=10 + i) for i in range(num_crops)]
    value = float(losses.swav_loss(scores, temperature, 0.05, 3))
    expected = ref.swav_reference(scores, temperature, 0.05, 3)
    np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-5)
    wrapped = losses.SwAVLoss(temperature=temperature)(scores)
    np.testing.assert_allclose(float(wrapped), value, rtol=1e-6)


def test_swav_loss_with_queue_matches_reference_and_flag_removes_it():
    scores = [cosines(4, 6, seed=20 + i) for i in range(3)]
    queue = [cosines(12, 6, seed=30 + i) for i in range(2)]
    with_queue = float(losses.swav_loss(scores, queue_scores=queue))
    np.testing.assert_allclose(
        with_queue, ref.swav_reference(scores, 0.1, 0.05, 3, queue=queue), rtol=1e-5
    )
    off = float(losses.swav_loss(scores, queue_scores=queue, use_queue=ops.convert_to_tensor(False)))
    np.testing.assert_allclose(off, ref.swav_reference(scores, 0.1, 0.05, 3), rtol=1e-5)
    assert abs(with_queue - off) > 1e-3


def test_swav_codes_get_no_gradient():
    # Two crops: loss = (CE(q_0, s_1) + CE(q_1, s_0)) / 2. With the codes
    # fixed, d loss / d s_0 = (softmax(s_0 / t) - q_1) / (2 t b) exactly.
    s_0, s_1 = cosines(5, 4, seed=40), cosines(5, 4, seed=41)
    t = 0.1
    grad = gradient(lambda x: losses.swav_loss([x, ops.convert_to_tensor(s_1)], t), s_0)
    q_1 = ref.sinkhorn_reference(np.exp(s_1.astype("float64") / 0.05), 3)
    expected = (ref._softmax_rows(s_0 / t) - q_1) / (2 * t * len(s_0))
    np.testing.assert_allclose(grad, expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("num_views", [1, 3])
@pytest.mark.parametrize("iterations", [0, 3])
@pytest.mark.parametrize("weight", [0.0, 1.0])
def test_msn_loss_matches_reference(num_views, iterations, weight):
    anchors = [cosines(6, 8, seed=50 + i) for i in range(num_views)]
    target = cosines(6, 8, seed=60)
    loss, terms = losses.msn_loss(
        anchors, target, 0.1, 0.025, weight, iterations, return_terms=True
    )
    # The reference sharpens the 0.1-softmax with T = 0.25 (0.1 x 0.25 = 0.025).
    total, prediction, me_max = ref.msn_reference(anchors, target, 0.1, 0.25, weight, iterations)
    np.testing.assert_allclose(float(loss), total, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(float(terms["prediction"]), prediction, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(float(terms["me_max"]), me_max, rtol=1e-4, atol=1e-6)
    wrapped = losses.MSNLoss(me_max_weight=weight, sinkhorn_iterations=iterations)
    np.testing.assert_allclose(float(wrapped(anchors, target)), float(loss), rtol=1e-6)


def test_msn_me_max_is_zero_for_uniform_mean_and_target_gets_no_gradient():
    # Each prototype equally likely on average: ME-MAX = log k - log k = 0.
    uniform = [np.zeros((4, 5), "float32")]
    _, terms = losses.msn_loss(uniform, uniform[0], return_terms=True)
    np.testing.assert_allclose(float(terms["me_max"]), 0.0, atol=1e-6)
    anchors = [cosines(4, 5, seed=70)]
    grad = gradient(lambda t: losses.msn_loss(anchors, t), cosines(4, 5, seed=71))
    np.testing.assert_array_equal(grad, 0.0)


def test_float16_scores_give_float32_losses():
    scores = [ops.cast(cosines(4, 5, seed=80 + i), "float16") for i in range(3)]
    assert ops.dtype(losses.swav_loss(scores)) == "float32"
    assert ops.dtype(losses.msn_loss(scores[1:], scores[0])) == "float32"
    assert ops.dtype(losses.sinkhorn(scores[0])) == "float32"


def test_bad_inputs_raise():
    scores = [cosines(4, 5, seed=90 + i) for i in range(3)]
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="epsilon"):
            losses.sinkhorn(scores[0], epsilon=bad)
        with pytest.raises(ValueError, match="temperature"):
            losses.swav_loss(scores, temperature=bad)
        with pytest.raises(ValueError, match="target_temperature"):
            losses.msn_loss(scores[1:], scores[0], target_temperature=bad)
    with pytest.raises(ValueError, match="iterations"):
        losses.sinkhorn(scores[0], iterations=0)
    with pytest.raises(ValueError, match="scores"):
        losses.sinkhorn(scores[0][0])
    with pytest.raises(ValueError, match="at least 2 crops"):
        losses.swav_loss(scores[:1], num_assignment_crops=1)
    with pytest.raises(ValueError, match="num_assignment_crops=4"):
        losses.swav_loss(scores, num_assignment_crops=4)
    with pytest.raises(ValueError, match=r"crop_scores\[1\]"):
        losses.swav_loss([scores[0], scores[1][:3]])
    with pytest.raises(TypeError, match="crop_scores"):
        losses.swav_loss(scores[0])
    with pytest.raises(ValueError, match="queue_scores"):
        losses.swav_loss(scores, queue_scores=[scores[0]])
    with pytest.raises(ValueError, match="me_max_weight"):
        losses.msn_loss(scores[1:], scores[0], me_max_weight=-1.0)
    with pytest.raises(ValueError, match="target_scores"):
        losses.msn_loss(scores[1:], scores[0][:3])


def test_l2_normalize_of_a_zero_row_has_a_finite_gradient():
    # A dead predictor row (all-zero output) once made SimSiam's loss NaN:
    # the gradient of a norm at 0 is 0 / 0.
    x = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 2.0]], "float32")
    target = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], "float32")
    grad = gradient(
        lambda p: losses.negative_cosine_similarity(p, ops.convert_to_tensor(target)), x
    )
    assert np.all(np.isfinite(grad))
    np.testing.assert_array_equal(ops.convert_to_numpy(losses.l2_normalize(x))[0], 0.0)
