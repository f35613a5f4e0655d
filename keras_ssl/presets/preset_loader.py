"""`from_preset`: loads a zoo encoder, a preset folder, or an hf:// / kaggle:// handle."""

import json
import os

import keras

from keras_ssl.presets import preset_saver as files
from keras_ssl.presets import zoo_registry
from keras_ssl.presets.cache import safe_join
from keras_ssl.presets.cache import sha256_of
from keras_ssl.presets.handles import parse_handle


def from_preset(preset, load_weights=True, ssl_model=False, sha256=None,
                allow_unpinned=False):
    """Loads an encoder (or a whole SSL model) from a preset.

    `preset` is one of:

    - a zoo name (`keras-ssl zoo list`): weights shipped in this package,
      a keras-hub preset (DINOv2, DINOv3, CLIP and SigLIP image towers,
      BERT), or an official PyTorch checkpoint downloaded from its URL and
      converted;
    - a preset folder written by `save_to_preset` (or by keras-hub);
    - `hf://{org}/{model}[@revision]` or
      `kaggle://{owner}/{model}/{framework}/{variation}[/{version}]`.

    Every file is checked against its sha256 (from the zoo entry, or the
    preset's `metadata.json`) before it is read; Keras configs are
    deserialised in safe mode (no lambdas, no arbitrary imports) and
    PyTorch files are read with `torch.load(weights_only=True)`.

    Args:
        preset: str. What to load, see above.
        load_weights: bool. `False` builds the architecture with fresh
            weights. Defaults to `True`.
        ssl_model: bool. Return the whole SSL model saved beside the
            encoder (heads, EMA targets, queues), ready to `compile` and
            `fit` further, instead of the encoder. Defaults to `False`.
        sha256: str or None. Expected digest of a converted checkpoint
            whose zoo entry pins none. Defaults to `None`.
        allow_unpinned: bool. Trust the first download of a file nobody
            has pinned and pin its digest for later loads. Defaults to
            `False` (refuse).

    Returns:
        A `keras.Model`.

    Example:

    ```python
    encoder = keras_ssl.presets.from_preset("simclr_small_cnn_shapes")
    features = encoder.predict(images)
    ```
    """
    kind, value = parse_handle(preset, zoo_registry.list_zoo())
    if kind == "zoo":
        return _from_zoo(value, load_weights, ssl_model, sha256, allow_unpinned)
    if kind == "local":
        folder = value
        verify_folder(folder, required=False)
    else:
        from keras_ssl.presets.remote_preset import fetch_remote_preset

        folder = fetch_remote_preset(kind, value, ssl_model, allow_unpinned)
    return load_folder(folder, load_weights, ssl_model)


def load_folder(folder, load_weights=True, ssl_model=False):
    """Loads the encoder (or SSL model) of a verified preset folder."""
    if ssl_model:
        return _load_model(folder, files.SSL_CONFIG_FILE, files.SSL_WEIGHTS_FILE, load_weights)
    return _load_model(folder, files.CONFIG_FILE, files.WEIGHTS_FILE, load_weights)


def read_metadata(folder):
    """The preset's `metadata.json` as a dict ({} when there is none)."""
    path = os.path.join(folder, files.METADATA_FILE)
    if not os.path.exists(path):
        return {}
    return _read_json(path)


def verify_folder(folder, expected=None, required=True):
    """Checks each file's size and sha256 against `expected` or metadata.json.

    Args:
        folder: str. The preset folder.
        expected: dict or None. `{name: {"sha256": hex, "size": int}}`;
            None reads the `files` of `metadata.json`.
        required: bool. Raise when no digests are known at all.
    """
    if expected is None:
        expected = read_metadata(folder).get("files")
    if not expected:
        if required:
            raise ValueError(f"The preset {folder!r} lists no sha256 digests to check.")
        return
    for name, facts in expected.items():
        path = safe_join(folder, name)
        if not os.path.exists(path):
            raise FileNotFoundError(f"The preset {folder!r} lacks its file {name!r}.")
        digest = facts.get("sha256") if isinstance(facts, dict) else None
        if digest is None:
            raise ValueError(
                f"No sha256 is pinned for {name!r} of preset {folder!r}: it "
                "cannot be checked."
            )
        actual = sha256_of(path)
        if actual != digest:
            raise ValueError(
                f"sha256 mismatch for {path}: expected {digest}, got {actual}. "
                "The file is corrupted or was modified."
            )


def _from_zoo(name, load_weights, ssl_model, sha256, allow_unpinned):
    entry = zoo_registry.get_zoo_entry(name)
    kind = entry["kind"]
    if kind == "keras_ssl":
        folder = zoo_registry.zoo_preset_dir(name)
        verify_folder(folder, expected=entry["files"])
        return load_folder(folder, load_weights, ssl_model)
    if ssl_model:
        raise ValueError(
            f"Zoo entry {name!r} ({kind}) holds an encoder only; "
            "`ssl_model=True` needs a preset saved by keras_ssl."
        )
    if kind == "keras_hub":
        from keras_ssl.presets.keras_hub_zoo import load_keras_hub_entry

        return load_keras_hub_entry(entry, load_weights, allow_unpinned)
    from keras_ssl.presets.converters import load_converted_entry

    return load_converted_entry(entry, load_weights, sha256, allow_unpinned)


def _load_model(folder, config_file, weights_file, load_weights):
    config_path = safe_join(folder, config_file)
    if not os.path.exists(config_path):
        what = "SSL model" if config_file == files.SSL_CONFIG_FILE else "encoder"
        raise FileNotFoundError(
            f"The preset {folder!r} has no {config_file} (no {what} was saved there)."
        )
    config = _read_json(config_path)
    _register_classes(config)
    model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    if load_weights:
        model.load_weights(safe_join(folder, weights_file))
    return model


def _register_classes(config):
    # Classes register themselves with Keras when their package is imported.
    text = json.dumps(config)
    if '"keras_hub' in text or "keras_hub>" in text:
        import keras_hub  # noqa: F401
    if "keras_ssl>" in text:
        import keras_ssl.augmentations  # noqa: F401
        import keras_ssl.layers  # noqa: F401
        import keras_ssl.methods  # noqa: F401


def _read_json(path):
    with open(path, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path} is not valid JSON: {error}") from error
