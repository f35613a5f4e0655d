import keras
import numpy as np
import pytest

from keras_ssl import evaluation
from tests.evaluation.numpy_references import std_of_l2_normalized_reference


def value(x):
    return float(keras.ops.convert_to_numpy(evaluation.std_of_l2_normalized(x)))


def test_collapsed_output_gives_zero():
    constant = np.tile(np.array([[0.3, -1.0, 2.0, 0.5]], "float32"), (16, 1))
    assert value(constant) == pytest.approx(0.0, abs=1e-6)
    # Same direction, different lengths: still collapsed after normalisation.
    scaled = constant * np.arange(1, 17, dtype="float32")[:, None]
    assert value(scaled) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("dim", [16, 64, 256])
def test_isotropic_gaussian_gives_inverse_sqrt_dim(dim):
    rng = np.random.default_rng(dim)
    embeddings = rng.normal(size=(4096, dim)).astype("float32")
    assert value(embeddings) == pytest.approx(1 / np.sqrt(dim), rel=0.03)


def test_matches_numpy_reference_on_backend_tensors():
    rng = np.random.default_rng(3)
    embeddings = rng.normal(loc=0.5, size=(32, 8)).astype("float32")
    tensor = keras.ops.convert_to_tensor(embeddings)
    assert value(tensor) == pytest.approx(
        std_of_l2_normalized_reference(embeddings), rel=1e-5
    )


def test_zero_rows_do_not_give_nan():
    embeddings = np.zeros((4, 3), "float32")
    assert value(embeddings) == 0.0


@pytest.mark.parametrize("shape", [(8,), (2, 3, 4)])
def test_rank_other_than_two_is_refused(shape):
    with pytest.raises(ValueError, match="rank 2"):
        evaluation.std_of_l2_normalized(np.ones(shape, "float32"))
