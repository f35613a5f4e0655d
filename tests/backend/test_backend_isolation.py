"""House rule: only keras_ssl/backend/ imports jax, torch or tensorflow.

tensorflow is allowed in datasets/ for tf.data / tensorflow-datasets input
pipelines (the input pipeline of every backend, as in Keras).
"""

import pathlib
import re

import keras

import keras_ssl

PACKAGE = pathlib.Path(keras_ssl.__file__).parent
IMPORT = re.compile(r"^\s*(?:import|from)\s+(jax|torch|tensorflow)\b", re.M)


def test_frameworks_are_imported_only_in_backend():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        for framework in IMPORT.findall(path.read_text()):
            allowed = relative.startswith("backend/") or (
                framework == "tensorflow" and relative.startswith("datasets/")
            )
            if not allowed:
                offenders.append(f"{relative}: {framework}")
    assert offenders == []


def test_trainer_matches_active_backend():
    from keras_ssl.backend import SSLTrainer

    expected = {
        "jax": "JAXSSLTrainer",
        "tensorflow": "TensorFlowSSLTrainer",
        "torch": "TorchSSLTrainer",
    }[keras.config.backend()]
    assert SSLTrainer.__name__ == expected
    assert issubclass(keras_ssl.methods.SSLModel, SSLTrainer)
