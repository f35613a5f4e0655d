"""Helpers shared by the losses (float32 maths, shape checks, batch stats).

Means over the batch are `global_mean`s: on several replicas they cover the
global batch (every replica gets the same value); on one they are `ops.mean`.
"""

from keras import ops

from keras_ssl.backend.collectives import all_gather
from keras_ssl.backend.collectives import all_reduce
from keras_ssl.backend.collectives import global_mean
from keras_ssl.backend.collectives import global_rows
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
    """Cross-entropy of float32 `logits` (b, n) at a column per row.

    Averaged over the rows of every replica (`global_mean`).
    """
    log_probs = logits - ops.logsumexp(logits, axis=1, keepdims=True)
    picked = ops.take_along_axis(
        log_probs, ops.expand_dims(positive_index, 1), axis=1
    )
    return -global_mean(picked)


def two_view_logits(a, b, temperature):
    """Similarities of 2b anchors to both views of the global batch.

    The anchors are this replica's rows of `a` then `b` (b, d each,
    normalised); the candidates are both views of the global batch, gathered
    (2B; B = b on one replica). Returns `(logits, own, partner)`: float32
    logits (2b, 2B) divided by `temperature`, and for each anchor the
    column of itself and of its other view.
    """
    anchors = ops.concatenate([a, b], axis=0)
    candidates = ops.concatenate([all_gather(a), all_gather(b)], axis=0)
    half = ops.shape(candidates)[0] // 2
    _, offset = global_rows(a)
    logits = ops.einsum("nd,md->nm", anchors, candidates) / temperature
    rows = offset + ops.arange(ops.shape(a)[0], dtype="int32")
    own = ops.concatenate([rows, rows + half], axis=0)
    partner = ops.concatenate([rows + half, rows], axis=0)
    return logits, own, partner


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
    training mode; statistics of the global batch on several replicas.
    """
    x = ops.cast(x, "float32")
    mean = global_mean(x, axis=0, keepdims=True)
    variance = global_mean(ops.square(x - mean), axis=0, keepdims=True)
    return (x - mean) / ops.sqrt(variance + epsilon)


def sum_over_samples(x, axis=0, keepdims=False):
    """Sum of `x` over its sample axis: the statistics of a whole batch.

    Statistics over every sample of a batch (Sinkhorn-Knopp's per-prototype
    sums and sample count, MSN's mean prediction) go through this one
    function: the local sum, then a sum over replicas when the batch is
    split across several (nothing more on one device).
    """
    return all_reduce(ops.sum(x, axis=axis, keepdims=keepdims), "sum")
