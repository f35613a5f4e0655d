"""Fetches the files of an hf:// or kaggle:// preset and verifies them.

The preset's `metadata.json` (written by `save_to_preset`) lists the sha256
of every other file; each file is checked against it before use. A remote
preset whose metadata lists no digests (one saved by keras-hub, say) is
refused unless `allow_unpinned=True`, which pins each file's digest at its
first download.
"""

import os

from keras_ssl.presets import preset_saver as files
from keras_ssl.presets.cache import sha256_of
from keras_ssl.presets.download import fetch_latest
from keras_ssl.presets.download import fetch_verified

HF_ENDPOINT_ENV = "KERAS_SSL_HF_ENDPOINT"
DEFAULT_HF_ENDPOINT = "https://huggingface.co"


def fetch_remote_preset(kind, value, ssl_model, allow_unpinned):
    """Returns a local folder holding the verified files of the preset."""
    names = [files.CONFIG_FILE, files.WEIGHTS_FILE]
    if ssl_model:
        names = [files.SSL_CONFIG_FILE, files.SSL_WEIGHTS_FILE]
    if kind == "hf":
        return _fetch_hf(value, names, allow_unpinned)
    return _fetch_kaggle(value, names, allow_unpinned)


def _digests(metadata_path):
    from keras_ssl.presets.preset_loader import _read_json

    listed = _read_json(metadata_path).get("files") or {}
    return {name: facts.get("sha256") for name, facts in listed.items()}


def _unpinned_error(preset, name):
    return ValueError(
        f"The preset {preset} lists no sha256 for {name!r} in its "
        f"{files.METADATA_FILE}, so the download cannot be checked. Pass "
        "`allow_unpinned=True` to trust the first download and pin it."
    )


def _fetch_hf(value, names, allow_unpinned):
    org, model, revision = value
    base = os.environ.get(HF_ENDPOINT_ENV, DEFAULT_HF_ENDPOINT).rstrip("/")
    root = f"{base}/{org}/{model}/resolve/{revision}"
    subdir = os.path.join("hf", org, model, revision)
    preset = f"hf://{org}/{model}@{revision}"
    digests = _digests(fetch_latest(f"{root}/{files.METADATA_FILE}", subdir))
    for name in names:
        digest = digests.get(name)
        if digest is None and not allow_unpinned:
            raise _unpinned_error(preset, name)
        path = fetch_verified(
            f"{root}/{name}", sha256=digest, cache_subdir=subdir,
            allow_unpinned=allow_unpinned,
        )
    return os.path.dirname(path)


def _fetch_kaggle(handle, names, allow_unpinned):
    try:
        import kagglehub
    except ImportError as error:
        raise ImportError(
            "kaggle:// presets need the `kagglehub` package: `pip install kagglehub`."
        ) from error
    preset = f"kaggle://{handle}"
    # kagglehub checks each download against the MD5 the server reports;
    # the sha256 of metadata.json is checked on top.
    digests = _digests(kagglehub.model_download(handle, path=files.METADATA_FILE))
    folder = None
    for name in names:
        path = kagglehub.model_download(handle, path=name)
        digest = digests.get(name)
        if digest is None:
            if not allow_unpinned:
                raise _unpinned_error(preset, name)
        elif sha256_of(path) != digest:
            raise ValueError(
                f"sha256 mismatch for {name} of {preset}: expected {digest}, "
                f"got {sha256_of(path)}."
            )
        folder = os.path.dirname(path)
    return folder
