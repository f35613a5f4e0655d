"""Where downloaded files are kept, and the file checks shared by loaders."""

import hashlib
import os

CACHE_ENV = "KERAS_SSL_CACHE"


def cache_dir():
    """The folder keras_ssl keeps downloads in.

    `$KERAS_SSL_CACHE` when set, else `$KERAS_HOME/keras_ssl`, else
    `~/.keras/keras_ssl` (Keras's own cache root).
    """
    if os.environ.get(CACHE_ENV):
        return os.path.abspath(os.environ[CACHE_ENV])
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras"
    )
    return os.path.abspath(os.path.join(keras_home, "keras_ssl"))


def sha256_of(path, chunk_size=1 << 20):
    """The hex sha256 digest of the file at `path`."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def safe_join(root, relative):
    """`root/relative`, refusing a `relative` that leads out of `root`.

    File names read from a preset's metadata or a registry entry are data
    from outside: `"../../.bashrc"` or an absolute path must not reach files
    outside the preset's folder.
    """
    if not isinstance(relative, str) or not relative:
        raise ValueError(
            f"A file name must be a non-empty string. Received: {relative!r}."
        )
    root = os.path.abspath(root)
    path = os.path.abspath(os.path.join(root, relative))
    if os.path.isabs(relative) or os.path.commonpath([root, path]) != root:
        raise ValueError(
            f"Invalid file name {relative!r}: the path escapes its folder "
            f"{root!r}."
        )
    return path


def check_sha256(name, expected):
    """Returns `expected` lower-cased, or raises if it is not a sha256."""
    if expected is None:
        return None
    text = str(expected).lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError(
            f"`{name}` must be a sha256 hex digest (64 hex characters). "
            f"Received: {name}={expected!r}."
        )
    return text
