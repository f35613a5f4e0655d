"""A first-in-first-out queue of embeddings, stored as model state."""

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.backend.collectives import all_gather
from keras_ssl.backend.collectives import num_replicas
from keras_ssl.losses.common import l2_normalize
from keras_ssl.utils.validation import check_positive_int
from keras_ssl.utils.validation import check_rank


@keras_ssl_export
class MemoryQueue(keras.layers.Layer):
    """FIFO queue of `size` embeddings of width `dim` (MoCo's dictionary).

    The queue is two non-trainable variables: `keys` (size, dim) and
    `pointer`, the row where the next write starts. `enqueue(batch)` writes
    the b rows at pointer, pointer+1, ... modulo `size`: a write that reaches
    the end wraps around to row 0, so any batch size up to `size` works, a
    partial last batch included, and no key is ever dropped. The queue starts
    filled with L2-normalised Gaussian noise, as in MoCo.

    Because both are model variables, the queue is updated inside the train
    step on every backend (JAX included) and saved with the model. On
    several replicas, `enqueue` writes the rows of every replica (gathered,
    in replica order), so each replica holds the same queue, filled with
    the global batch as on one device.

    Args:
        size: int. Number of keys held. Defaults to `65536` (MoCo).
        dim: int. Width of each key. Defaults to `128`.
        seed: int. Seed of the initial noise. Defaults to `None`.

    Example:
    ```python
    queue = keras_ssl.layers.MemoryQueue(size=4096, dim=128)
    negatives = queue.keys          # (4096, 128), read before the write
    queue.enqueue(keys)             # keys: (b, 128), b <= 4096
    ```

    Reference:
        He et al., Momentum Contrast for Unsupervised Visual Representation
        Learning, 2019. https://arxiv.org/abs/1911.05722
    """

    def __init__(self, size=65536, dim=128, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.size = check_positive_int("size", size)
        self.dim = check_positive_int("dim", dim)
        self.seed = seed
        self.keys = self.add_weight(
            shape=(self.size, self.dim),
            initializer=keras.initializers.RandomNormal(seed=seed),
            trainable=False,
            dtype="float32",
            name="keys",
        )
        self.keys.assign(l2_normalize(self.keys.value))
        self.pointer = self.add_weight(
            shape=(),
            initializer="zeros",
            trainable=False,
            dtype="int32",
            name="pointer",
        )
        self.built = True

    def enqueue(self, batch, enabled=None):
        """Writes `batch` (b, dim) at the pointer, wrapping, and advances it.

        On several replicas, every replica's `batch` is written (B rows).
        `enabled`, an optional boolean scalar (tensor), skips the write when
        False, inside a compiled step (SwAV starts its queue after some
        epochs).
        """
        batch = ops.convert_to_tensor(batch)
        check_rank("batch", batch, 2)
        if batch.shape[-1] != self.dim:
            raise ValueError(
                f"`batch` must have width {self.dim} (the queue's `dim`). "
                f"Received: batch.shape={tuple(batch.shape)}."
            )
        replicas = num_replicas()
        if batch.shape[0] is not None and batch.shape[0] * replicas > self.size:
            raise ValueError(
                f"A batch of {batch.shape[0]} keys on each of {replicas} "
                f"replica(s) does not fit a queue of size {self.size}: every "
                "key would not be kept. Use a queue at least as large as the "
                "global batch."
            )
        batch = all_gather(ops.stop_gradient(ops.cast(batch, "float32")))
        count = ops.shape(batch)[0]
        rows = (self.pointer + ops.arange(count, dtype="int32")) % self.size
        keys = ops.scatter_update(self.keys, ops.expand_dims(rows, 1), batch)
        if enabled is not None:
            keys = ops.where(enabled, keys, ops.convert_to_tensor(self.keys))
            count = ops.cast(ops.where(enabled, count, 0), "int32")
        self.keys.assign(keys)
        self.pointer.assign((self.pointer + count) % self.size)

    def call(self, inputs=None):
        return ops.convert_to_tensor(self.keys)

    def get_config(self):
        return {
            **super().get_config(),
            "size": self.size,
            "dim": self.dim,
            "seed": self.seed,
        }
