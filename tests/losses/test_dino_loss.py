"""DINO loss vs its NumPy reference, properties and errors."""

import numpy as np
import pytest
from keras import ops

from keras_ssl import losses
from tests.losses import numpy_references as ref


def _outputs(count, shape, seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape).astype("float32") for _ in range(count)]


@pytest.mark.parametrize("num_student", [2, 3, 6])
@pytest.mark.parametrize("shape", [(2, 4), (5, 16)])
@pytest.mark.parametrize("temperatures", [(0.1, 0.04), (0.1, 0.07), (1.0, 0.5)])
def test_dino_loss_matches_reference(num_student, shape, temperatures):
    student = _outputs(num_student, shape, seed=1)
    teacher = _outputs(2, shape, seed=2)
    center = np.random.default_rng(3).normal(size=(1, shape[1])).astype("float32")
    value = float(losses.dino_loss(student, teacher, center, *temperatures))
    expected = ref.dino_reference(student, teacher, center, *temperatures)
    np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        value, float(losses.DINOLoss(*temperatures)(student, teacher, center)), rtol=1e-6
    )


def test_centre_shift_of_all_teacher_logits_changes_nothing():
    # Softmax is invariant to a constant added to every logit of a row.
    student, teacher = _outputs(3, (4, 8), 4), _outputs(2, (4, 8), 5)
    zero = np.zeros((1, 8), "float32")
    a = float(losses.dino_loss(student, teacher, zero))
    b = float(losses.dino_loss(student, teacher, zero + 3.0))
    np.testing.assert_allclose(a, b, rtol=1e-5)


def test_float16_outputs_give_float32_loss():
    student, teacher = _outputs(3, (4, 8), 6), _outputs(2, (4, 8), 7)
    center = np.zeros((8,), "float32")
    value = losses.dino_loss([ops.cast(s, "float16") for s in student], teacher, center)
    assert ops.dtype(value) == "float32"
    exact = [np.float16(s).astype("float32") for s in student]
    np.testing.assert_allclose(
        float(value), ref.dino_reference(exact, teacher, center, 0.1, 0.04), rtol=1e-5
    )


def test_bad_inputs_raise():
    student, teacher = _outputs(3, (4, 8), 8), _outputs(2, (4, 8), 9)
    center = np.zeros((1, 8), "float32")
    for bad in (0.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="student_temperature"):
            losses.dino_loss(student, teacher, center, student_temperature=bad)
        with pytest.raises(ValueError, match="teacher_temperature"):
            losses.DINOLoss(teacher_temperature=bad)
    with pytest.raises(ValueError, match="student_outputs"):
        losses.dino_loss([student[0], student[1][:2]], teacher, center)
    with pytest.raises(ValueError, match="at least 2 student crops"):
        losses.dino_loss(student[:1], teacher[:1], center)
    with pytest.raises(TypeError, match="teacher_outputs"):
        losses.dino_loss(student, teacher[0], center)
