"""The collectives on one replica: the identity, and ops.mean / ops.var.

Their multi-replica behaviour (values and gradients) is checked through
every method in tests/distributed/test_distributed.py.
"""

import numpy as np
import pytest
from keras import ops

from keras_ssl import backend

X = np.random.default_rng(0).normal(size=(6, 4, 3)).astype("float32")


def test_one_replica_collectives_return_their_input():
    assert backend.num_replicas() == 1
    assert backend.replica_id() == 0
    assert backend.all_gather(X) is X
    assert backend.all_reduce(X, "sum") is X
    assert backend.all_reduce(X, "mean") is X
    assert backend.global_rows(ops.convert_to_tensor(X)) == (6, 0)


@pytest.mark.parametrize("axis", [None, 0, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_mean_and_variance_are_the_one_device_ops(axis, keepdims):
    np.testing.assert_array_equal(
        ops.convert_to_numpy(backend.global_mean(X, axis=axis, keepdims=keepdims)),
        ops.convert_to_numpy(ops.mean(X, axis=axis, keepdims=keepdims)),
    )
    if axis is not None:
        np.testing.assert_allclose(
            ops.convert_to_numpy(backend.global_variance(X, axis, keepdims)),
            np.var(X, axis=axis, keepdims=keepdims),
            rtol=1e-5,
            atol=1e-6,
        )


def test_unknown_reduction_is_refused():
    with pytest.raises(ValueError, match="`op` must be one of .*op='max'"):
        backend.all_reduce(X, "max")
