"""Different random draws on each replica for layers with seed generators."""

import contextlib

from keras import ops

from keras_ssl.backend.collectives import num_replicas
from keras_ssl.backend.collectives import replica_id

# Added to each seed generator's seed for replica k (times k): streams of
# different replicas never coincide for realistic seeds.
_REPLICA_SEED_STRIDE = 7919


@contextlib.contextmanager
def per_replica_seeds(layer):
    """Offsets `layer`'s seed generators by the replica id inside the block.

    A Keras seed generator is model state, the same on every replica, so on
    several replicas the i-th image of every replica would get the same
    random augmentation. Inside this block each replica draws from its own
    stream; afterwards the seeds are restored, so every replica keeps the
    same state (only the draw counters advance, as on one device). On one
    replica (and on JAX, whose draws cover the global batch) it does
    nothing.
    """
    if num_replicas() == 1:
        yield
        return
    states = [
        v for v in layer.non_trainable_variables if v.name == "seed_generator_state"
    ]
    offsets = []
    for state in states:
        offset = ops.cast(
            ops.stack([replica_id() * _REPLICA_SEED_STRIDE, 0]), state.dtype
        )
        state.assign(state + offset)
        offsets.append(offset)
    yield
    for state, offset in zip(states, offsets):
        state.assign(state - offset)
