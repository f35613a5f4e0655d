"""Cross-replica collectives with one API on every backend.

A train step that runs on several replicas (a `tf.distribute` strategy, or
`torchrun` processes) sees only its replica's rows of the global batch.
Losses and buffers that compare samples call these functions to reach the
other replicas' rows. On one replica, and on JAX (whose arrays are global
under `keras.distribution`), every collective returns its input unchanged,
without a single extra op, so the single-device step is untouched.

Gradient convention (the adjoints of the collectives, as in
`tf.distribute` and `torch.distributed.nn`): the gradient of `all_gather`
is the sum of every replica's output gradient, sliced back to the local
rows; that of a sum `all_reduce` is the sum of every replica's output
gradient. The trainers differentiate `loss / num_replicas()` on each
replica and sum the gradients over replicas, so a loss that every replica
computes identically from gathered or reduced values (the global loss)
gets exactly the one-device gradient of that global loss. Weights must act
on the local rows before any collective (a layer applied after a gather
would count its gradient once per replica).
"""

import keras
from keras import ops

_BACKEND = keras.config.backend()

if _BACKEND == "jax":
    from keras_ssl.backend import jax_collectives as _impl
elif _BACKEND == "tensorflow":
    from keras_ssl.backend import tensorflow_collectives as _impl
elif _BACKEND == "torch":
    from keras_ssl.backend import torch_collectives as _impl
else:
    raise ValueError(
        "keras_ssl trains on the jax, tensorflow and torch backends. "
        f"Received: KERAS_BACKEND={_BACKEND!r}."
    )

REDUCE_OPS = ("sum", "mean")


def num_replicas():
    """Number of replicas running this step together (a Python int).

    1 on one device, on JAX (one global program), and outside a
    `tf.distribute` replica context.
    """
    return _impl.num_replicas()


def replica_id():
    """Index of this replica, 0 to `num_replicas() - 1` (may be a tensor)."""
    return _impl.replica_id()


def all_gather(x, axis=0):
    """Concatenates `x` from every replica along `axis`, in replica order.

    Differentiable: each replica's `x` receives the summed gradient of its
    rows. Row counts may differ between replicas (not on TPU).

    Args:
        x: tensor. This replica's values.
        axis: int. Axis to concatenate along. Defaults to `0`.
    """
    if _impl.num_replicas() == 1:
        return x
    return _impl.all_gather(ops.convert_to_tensor(x), axis)


def all_reduce(x, op="sum"):
    """Elementwise sum (or mean) of `x` over replicas; differentiable.

    Args:
        x: tensor. The same shape on every replica.
        op: "sum" or "mean". Defaults to `"sum"`.
    """
    if op not in REDUCE_OPS:
        raise ValueError(
            f"`op` must be one of {REDUCE_OPS}. Received: op={op!r}."
        )
    if _impl.num_replicas() == 1:
        return x
    return _impl.all_reduce(ops.convert_to_tensor(x), op)


def global_mean(x, axis=None, keepdims=False):
    """`ops.mean` over the elements of every replica (exact for any split).

    Sums and element counts are all-reduced together, so replicas with
    different batch sizes (a partial last batch) weigh each row equally.
    On one replica this is `ops.mean(x, axis, keepdims)`.

    Args:
        x: tensor. This replica's values; `axis` covers the batch axis.
        axis: int, tuple of ints or None (all axes). Defaults to `None`.
        keepdims: bool. Defaults to `False`.
    """
    if _impl.num_replicas() == 1:
        return ops.mean(x, axis=axis, keepdims=keepdims)
    x = ops.convert_to_tensor(x)
    total = ops.sum(x, axis=axis, keepdims=keepdims)
    count = ops.cast(ops.size(x), total.dtype) / ops.cast(
        ops.size(total), total.dtype
    )
    # One all-reduce carries the sums and the count.
    packed = all_reduce(
        ops.concatenate([ops.reshape(total, (-1,)), ops.reshape(count, (1,))])
    )
    return ops.reshape(packed[:-1], ops.shape(total)) / packed[-1]


def global_variance(x, axis=0, keepdims=False):
    """Biased variance over every replica's rows (two passes, like `ops.var`).

    Args:
        x: tensor. This replica's values.
        axis: int or tuple of ints. Defaults to `0` (the batch axis).
        keepdims: bool. Defaults to `False`.
    """
    if _impl.num_replicas() == 1:
        return ops.var(x, axis=axis, keepdims=keepdims)
    mean = global_mean(x, axis=axis, keepdims=True)
    return global_mean(ops.square(x - mean), axis=axis, keepdims=keepdims)


def global_rows(x):
    """`(rows, offset)`: the global batch size, and this replica's first row.

    `offset` is where this replica's rows of `x` start in `all_gather(x)`.
    On one replica: `(ops.shape(x)[0], 0)`.
    """
    count = ops.shape(x)[0]
    if _impl.num_replicas() == 1:
        return count, 0
    return _impl.global_rows(count)
