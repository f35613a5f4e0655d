"""Collectives for TensorFlow: `tf.distribute` replica-context operations.

Under a strategy (`MirroredStrategy`, `MultiWorkerMirroredStrategy`,
`TPUStrategy`) Keras runs the train step once per replica, in a replica
context. Outside one (the default strategy, or the cross-replica context of
`strategy.scope()`) there is one replica and every collective is the
identity. TensorFlow defines the gradients: that of `all_gather` is the
all-reduced sum of the output gradient, sliced back to the local rows
(different row counts per replica allowed, except on TPU); that of
`all_reduce` is the all-reduce of the output gradient.
"""

import tensorflow as tf


def _replica_context():
    # None in a cross-replica context: nothing to communicate with there.
    return tf.distribute.get_replica_context()


def num_replicas():
    context = _replica_context()
    return 1 if context is None else int(context.num_replicas_in_sync)


def replica_id():
    context = _replica_context()
    return 0 if context is None else context.replica_id_in_sync_group


def all_gather(x, axis):
    return _replica_context().all_gather(x, axis=axis)


def all_reduce(x, op):
    reduce_op = {"sum": tf.distribute.ReduceOp.SUM, "mean": tf.distribute.ReduceOp.MEAN}
    return _replica_context().all_reduce(reduce_op[op], x)


def global_rows(count):
    context = _replica_context()
    counts = context.all_gather(tf.reshape(tf.cast(count, tf.int32), (1,)), axis=0)
    earlier = tf.range(context.num_replicas_in_sync) < context.replica_id_in_sync_group
    offset = tf.reduce_sum(tf.where(earlier, counts, tf.zeros_like(counts)))
    return tf.reduce_sum(counts), offset
