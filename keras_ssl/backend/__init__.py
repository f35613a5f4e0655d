"""The only package of keras_ssl that imports jax, torch or tensorflow.

`SSLTrainer` is the train/test step of the active Keras backend; `SSLModel`
inherits it at import time, as `keras.Model` inherits the backend trainer.
"""

import keras

_BACKEND = keras.config.backend()

if _BACKEND == "jax":
    from keras_ssl.backend.jax_trainer import JAXSSLTrainer as SSLTrainer
elif _BACKEND == "tensorflow":
    from keras_ssl.backend.tensorflow_trainer import (
        TensorFlowSSLTrainer as SSLTrainer,
    )
elif _BACKEND == "torch":
    from keras_ssl.backend.torch_trainer import TorchSSLTrainer as SSLTrainer
else:
    raise ValueError(
        "keras_ssl trains on the jax, tensorflow and torch backends. "
        f"Received: KERAS_BACKEND={_BACKEND!r}."
    )
