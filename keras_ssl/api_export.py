"""Registration of public keras_ssl classes for safe-mode serialization."""

import keras

PACKAGE = "keras_ssl"


def keras_ssl_export(cls):
    """Registers `cls` as serializable under the "keras_ssl" package.

    Every public layer, loss and model of keras_ssl carries this decorator so
    that `keras.saving.load_model` can rebuild it in safe mode.
    """
    return keras.saving.register_keras_serializable(package=PACKAGE)(cls)
