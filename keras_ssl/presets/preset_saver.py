"""`save_to_preset`: an encoder (and its SSL model) in keras-hub's format.

A preset folder holds:

- `config.json` + `model.weights.h5`: the encoder alone, written as
  keras-hub writes a backbone (`keras.saving.serialize_keras_object` and
  `save_weights`). A keras_ssl encoder is a functional model of Keras
  layers, so `keras.saving.deserialize_keras_object` + `load_weights` (or
  keras-hub's own preset loader) rebuild it without keras_ssl.
- `ssl_model.json` + `ssl_model.weights.h5` (for an `SSLModel`): the whole
  method (heads, EMA targets, queues, centres) and, unless
  `include_optimizer=False`, its compile config and optimizer state, to
  continue pretraining; it needs keras_ssl to load.
- `metadata.json`: versions, parameter counts, what the caller adds
  (method, data set, recipe, metrics) and the size and sha256 of every
  other file, which `from_preset` checks before loading.
"""

import datetime
import json
import os

import keras

from keras_ssl.presets.cache import sha256_of

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"
SSL_CONFIG_FILE = "ssl_model.json"
SSL_WEIGHTS_FILE = "ssl_model.weights.h5"
METADATA_FILE = "metadata.json"
MODEL_CARD_FILE = "README.md"


def save_to_preset(model, preset_dir, metadata=None, include_optimizer=True):
    """Saves `model` to the preset folder `preset_dir`.

    Args:
        model: a `keras_ssl.methods.SSLModel` (its encoder and the whole
            model are saved) or any `keras.Model` encoder (saved alone).
        preset_dir: str. Folder to write; created if needed.
        metadata: dict or None. JSON-serialisable facts to record in
            `metadata.json` (method, dataset, recipe, metrics ...).
        include_optimizer: bool. Keep the SSL model's compile config and
            optimizer state (moments, step count), so `fit` continues
            exactly; `False` saves the model uncompiled and about 3x
            smaller with Adam (compile it again to continue). Defaults
            to `True`.

    Returns:
        dict. The metadata written.

    Example:

    ```python
    keras_ssl.presets.save_to_preset(model, "presets/simclr_small_cnn")
    encoder = keras_ssl.presets.from_preset("presets/simclr_small_cnn")
    ```
    """
    from keras_ssl.methods.ssl_model import SSLModel

    if not isinstance(model, keras.Model):
        raise TypeError(
            "`model` must be a keras.Model (an encoder) or a keras_ssl "
            f"SSLModel. Received: model of type {type(model).__name__}."
        )
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"`metadata` must be a dict or None. Received: {metadata!r}.")
    os.makedirs(preset_dir, exist_ok=True)
    is_ssl = isinstance(model, SSLModel)
    encoder = model.encoder if is_ssl else model
    _write_model(encoder, preset_dir, CONFIG_FILE, WEIGHTS_FILE, strip_build=True)
    files = [CONFIG_FILE, WEIGHTS_FILE]
    if is_ssl:
        if not model.built:
            # All of an SSLModel's state exists after __init__; TensorFlow's
            # fit does not always mark it built, and Keras saves only built
            # models.
            model.build()
        ssl_model = model if include_optimizer else _uncompiled_copy(model)
        _write_model(ssl_model, preset_dir, SSL_CONFIG_FILE, SSL_WEIGHTS_FILE, strip_build=False)
        files += [SSL_CONFIG_FILE, SSL_WEIGHTS_FILE]
    record = _metadata(encoder, model if is_ssl else None, metadata or {})
    record["files"] = describe_files(preset_dir, files)
    with open(os.path.join(preset_dir, METADATA_FILE), "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2)
        f.write("\n")
    return record


def describe_files(folder, names):
    """`{name: {"size": bytes, "sha256": hex}}` for files of `folder`."""
    described = {}
    for name in names:
        path = os.path.join(folder, name)
        described[name] = {"size": os.path.getsize(path), "sha256": sha256_of(path)}
    return described


def _write_model(model, folder, config_file, weights_file, strip_build):
    config = keras.saving.serialize_keras_object(model)
    # As keras-hub does for backbones: a functional model rebuilds itself
    # from its layer graph. An SSLModel keeps its compile config, so a
    # loaded model can go straight back to `fit`.
    _pop_recursive(config, "build_config" if strip_build else None)
    if strip_build:
        _pop_recursive(config, "compile_config")
    with open(os.path.join(folder, config_file), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    model.save_weights(os.path.join(folder, weights_file))


def _uncompiled_copy(model):
    config = keras.saving.serialize_keras_object(model)
    _pop_recursive(config, "compile_config")
    copy = keras.saving.deserialize_keras_object(config)
    if not copy.built:
        copy.build()
    copy.set_weights(model.get_weights())
    return copy


def _pop_recursive(config, key):
    if key is None or not isinstance(config, dict):
        return
    config.pop(key, None)
    for value in config.values():
        _pop_recursive(value, key)


def _metadata(encoder, ssl_model, extra):
    import keras_ssl

    try:
        import keras_hub

        keras_hub_version = keras_hub.__version__
    except ImportError:
        keras_hub_version = None
    record = {
        "keras_version": keras.version(),
        "keras_hub_version": keras_hub_version,
        "keras_ssl_version": keras_ssl.__version__,
        "backend": keras.config.backend(),
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "encoder_class": type(encoder).__name__,
        "parameter_count": int(encoder.count_params()),
        "ssl_model_class": None if ssl_model is None else type(ssl_model).__name__,
        "ssl_model_parameter_count": (
            None if ssl_model is None else int(ssl_model.count_params())
        ),
    }
    reserved = set(record) | {"files"}
    clash = sorted(reserved & set(extra))
    if clash:
        raise ValueError(
            f"`metadata` may not set the keys {clash}: save_to_preset "
            "records them itself."
        )
    record.update(extra)
    return record
