"""The only package of keras_ssl that imports jax, torch or tensorflow.

`SSLTrainer` is the train/test step of the active Keras backend; `SSLModel`
inherits it at import time, as `keras.Model` inherits the backend trainer.
The collectives (`all_gather`, `all_reduce`, `global_mean` ...) reach the
other replicas of a distributed step with the same call on every backend;
on one replica they return their input.
"""

import keras

from keras_ssl.backend.collectives import all_gather
from keras_ssl.backend.collectives import all_reduce
from keras_ssl.backend.collectives import global_mean
from keras_ssl.backend.collectives import global_rows
from keras_ssl.backend.collectives import global_variance
from keras_ssl.backend.collectives import num_replicas
from keras_ssl.backend.collectives import replica_id

_BACKEND = keras.config.backend()

if _BACKEND == "jax":
    from keras_ssl.backend.jax_trainer import JAXSSLTrainer as SSLTrainer
elif _BACKEND == "tensorflow":
    from keras_ssl.backend.tensorflow_trainer import (
        TensorFlowSSLTrainer as SSLTrainer,
    )
elif _BACKEND == "torch":
    from keras_ssl.backend.torch_trainer import TorchSSLTrainer as SSLTrainer


def route_fast_kernels(model):
    """Runs `model`'s Conv2D and BatchNormalization on faster kernels.

    On PyTorch, channels-last Conv2D layers skip Keras's layout copies and
    training-mode BatchNormalization is one fused kernel (see
    `torch_kernels`). On JAX on the CPU, stride-1 3x3 Conv2D layers run as
    Winograd convolutions and the others get an im2col kernel gradient in
    place of XLA's slow one (see `jax_kernels`). The layers keep their class, config and weights. On
    TensorFlow (oneDNN) it does nothing. `SSLModel` does it at its first
    step.

    Args:
        model: keras.Layer. Its layers are searched recursively.

    Returns:
        int: the number of layers routed.
    """
    if _BACKEND == "jax":
        from keras_ssl.backend.jax_kernels import route_layers
    elif _BACKEND == "torch":
        from keras_ssl.backend.torch_kernels import route_layers
    else:
        return 0
    return route_layers(model)
