"""Helpers shared by the contrastive losses (float32 maths, shape checks)."""

from keras import ops

from keras_ssl.utils.validation import check_rank
from keras_ssl.utils.validation import check_same_batch


def l2_normalize(x, axis=-1):
    """L2-normalises `x` along `axis` in float32 (safe for mixed precision).

    An all-zero vector stays zero with a finite gradient (as PyTorch's
    `F.normalize`): the floor is on the squared norm, whose gradient at 0 is
    0, where the gradient of `norm` at 0 is 0 / 0 = NaN.
    """
    x = ops.cast(x, "float32")
    squared = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x * ops.rsqrt(ops.maximum(squared, 1e-24))


def cross_entropy_with_index(logits, positive_index):
    """Mean cross-entropy of float32 `logits` (b, n) at column per row."""
    log_probs = logits - ops.logsumexp(logits, axis=1, keepdims=True)
    picked = ops.take_along_axis(
        log_probs, ops.expand_dims(positive_index, 1), axis=1
    )
    return -ops.mean(picked)


def check_embedding_pair(a, b, names=("z_a", "z_b")):
    check_rank(names[0], a, 2)
    check_rank(names[1], b, 2)
    check_same_batch(names[0], a, names[1], b)
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"`{names[0]}` and `{names[1]}` must have the same embedding "
            f"size. Received: {names[0]}.shape={tuple(a.shape)}, "
            f"{names[1]}.shape={tuple(b.shape)}."
        )


def standardize_over_batch(x, epsilon=1e-5):
    """Each column of `x` (b, d) to mean 0, variance 1 over the batch, float32.

    The biased variance plus `epsilon`, as an affine-free BatchNorm in
    training mode.
    """
    x = ops.cast(x, "float32")
    mean = ops.mean(x, axis=0, keepdims=True)
    variance = ops.mean(ops.square(x - mean), axis=0, keepdims=True)
    return (x - mean) / ops.sqrt(variance + epsilon)


def sum_over_samples(x, axis=0, keepdims=False):
    """Sum of `x` over its sample axis: the statistics of a whole batch.

    On one device this is `ops.sum`. Statistics over every sample of a batch
    (Sinkhorn-Knopp's per-prototype sums and sample count, MSN's mean
    prediction) go through this one function, so that when a batch is split
    across replicas a cross-replica sum (all-reduce) is added here, and
    nowhere else.
    """
    return ops.sum(x, axis=axis, keepdims=keepdims)
