"""Sinkhorn-Knopp: balanced soft assignments of samples to prototypes."""

from keras import ops

from keras_ssl.losses.common import sum_over_samples
from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_positive_int
from keras_ssl.utils.validation import check_rank


def _divide(x, total):
    # A zero total only occurs for rows masked out (all zero): keep them 0.
    return x / ops.where(total > 0, total, 1.0)


def sinkhorn_knopp(kernel, iterations=3, sample_mask=None):
    """Balances a non-negative matrix (b, k) into soft assignments.

    Alternately rescales the columns (each prototype gets a total weight of
    1/k over the samples) and the rows (each sample a total weight of 1/b),
    `iterations` times, starting from `kernel / sum(kernel)`; returns the
    matrix times b, so that every row (sample) sums to 1. This is the
    released SwAV / MSN code, written for (b, k) instead of its (k, b).
    Computed in float32, without gradient. Sums over samples go through
    `keras_ssl.losses.common.sum_over_samples` (the cross-replica hook).

    Shapes, in einsum letters: `kernel` (b, k); `sample_mask` (b,).
    Returns (b, k).

    Args:
        kernel: tensor (b, k) >= 0. E.g. `exp(scores / epsilon)` or
            probabilities.
        iterations: int >= 1. Defaults to `3`.
        sample_mask: optional tensor (b,) of 0 / 1. Rows with 0 take no part
            (their assignments are 0); used to keep a feature queue out until
            it is full. Defaults to `None` (every row).

    Reference:
        Cuturi, Sinkhorn Distances: Lightspeed Computation of Optimal
        Transport, 2013. https://arxiv.org/abs/1306.0895
    """
    check_positive_int("iterations", iterations)
    check_rank("kernel", kernel, 2)
    q = ops.stop_gradient(ops.cast(kernel, "float32"))
    if sample_mask is None:
        weights = ops.ones_like(q[:, 0])
    else:
        weights = ops.stop_gradient(ops.cast(sample_mask, "float32"))
        q = q * ops.expand_dims(weights, 1)
    num_samples = sum_over_samples(weights)
    num_prototypes = float(q.shape[-1])
    q = q / sum_over_samples(ops.sum(q, axis=1))
    for _ in range(iterations):
        q = _divide(q, sum_over_samples(q, axis=0, keepdims=True)) / num_prototypes
        q = _divide(q, ops.sum(q, axis=1, keepdims=True)) / num_samples
    return q * num_samples


def sinkhorn(scores, epsilon=0.05, iterations=3, sample_mask=None):
    """SwAV's codes: Sinkhorn-Knopp on `exp(scores / epsilon)`.

    Equal-partition soft assignments of b samples to k prototypes from their
    scores (cosine similarities): each row of the result sums to 1 and each
    prototype receives about b / k samples. Computed in float32 without
    gradient, with a fixed number of iterations (3 in the paper). The scores
    are used as given (no shift), as in the paper: they must keep
    `exp(scores / epsilon)` finite in float32, which cosine similarities do
    for `epsilon >= 0.012`.

    Shapes, in einsum letters: `scores` (b, k). Returns (b, k).

    Args:
        scores: tensor (b, k). Similarities of samples to prototypes.
        epsilon: float. Entropic regularisation; smaller is sharper.
            Defaults to `0.05`.
        iterations: int >= 1. Defaults to `3`.
        sample_mask: optional tensor (b,) of 0 / 1; see `sinkhorn_knopp`.
            Defaults to `None`.

    Example:
    ```python
    codes = keras_ssl.losses.sinkhorn(scores)  # rows sum to 1, columns ~b/k
    ```

    Reference:
        Caron et al., Unsupervised Learning of Visual Features by Contrasting
        Cluster Assignments, 2020. https://arxiv.org/abs/2006.09882
    """
    epsilon = check_positive_float("epsilon", epsilon)
    check_rank("scores", scores, 2)
    scores = ops.stop_gradient(ops.cast(scores, "float32"))
    return sinkhorn_knopp(ops.exp(scores / epsilon), iterations, sample_mask)
