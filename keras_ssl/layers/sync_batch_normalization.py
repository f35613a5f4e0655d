"""BatchNormalization whose batch statistics cover every replica."""

import keras

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.backend.collectives import global_mean
from keras_ssl.backend.collectives import num_replicas


@keras_ssl_export
class SyncBatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization` with moments of the global batch.

    In training, the mean and variance are taken over the rows of every
    replica (sums and counts all-reduced with `keras_ssl.backend`, two
    passes like `ops.moments`), so N replicas normalise exactly as one
    device does on the global batch, and the moving statistics stay the
    same on every replica. It works on every backend (Keras's
    `synchronized=True` is TensorFlow-only). On one replica, and on JAX
    (whose arrays are already global), it is `BatchNormalization`, op for
    op. It takes `BatchNormalization`'s arguments and has its weights, so
    checkpoints move between the two (`synchronize_batch_norm`). A call with
    a `mask` uses this replica's moments.

    Example:
    ```python
    norm = keras_ssl.layers.SyncBatchNormalization()
    y = norm(keras.random.normal((8, 16)), training=True)
    ```

    Reference:
        Ioffe and Szegedy, Batch Normalization, 2015.
        https://arxiv.org/abs/1502.03167
    """

    def _moments(self, inputs, mask):
        if mask is not None or num_replicas() == 1:
            return super()._moments(inputs, mask)
        axes = self._reduction_axes
        mean = global_mean(inputs, axis=axes, keepdims=True)
        variance = global_mean(keras.ops.square(inputs - mean), axis=axes)
        return keras.ops.reshape(mean, keras.ops.shape(variance)), variance


def synchronize_batch_norm(model, synchronized=True):
    """A copy of a functional `model` with its BatchNorm layers swapped.

    Every `BatchNormalization` becomes a `SyncBatchNormalization` (or back,
    with `synchronized=False`, e.g. to export an encoder that loads without
    keras_ssl); nested functional models are converted too and the weights
    are copied. Use it on the encoder for exact multi-replica training on
    TensorFlow and PyTorch (`SSLModel(..., sync_batch_norm=True)` does it).

    Args:
        model: keras.Model. A functional model (or Sequential).
        synchronized: bool. Direction of the swap. Defaults to `True`.

    Example:
    ```python
    encoder = keras_ssl.layers.synchronize_batch_norm(encoder)
    ```
    """
    if not isinstance(model, keras.Model) or not hasattr(model, "_nodes_by_depth"):
        raise TypeError(
            "`model` must be a functional or Sequential keras.Model. "
            f"Received: model={model!r}."
        )
    plain = keras.layers.BatchNormalization
    source, target = (plain, SyncBatchNormalization)
    if not synchronized:
        source, target = SyncBatchNormalization, plain

    def clone(layer):
        cls = target if type(layer) is source else type(layer)
        return cls.from_config(layer.get_config())

    copy = keras.models.clone_model(model, clone_function=clone, recursive=True)
    copy.set_weights(model.get_weights())
    return copy
