"""Downloads that are verified against a sha256 before anything reads them.

A file is streamed to a temporary `.part` file beside its cache path,
hashed on the way, and moved into place only when it is complete and its
digest matches: a truncated or tampered download is deleted and never
cached. A cached file is re-hashed on every use; a stale one (its digest
differs from the expected one) is fetched again.

A file whose sha256 nobody has pinned is refused unless the caller passes
the expected digest or `allow_unpinned=True`, which trusts the first
download and pins its digest (in `<file>.sha256`) for every later use.
"""

import http.client
import os
import shutil
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
import warnings

from keras_ssl.presets.cache import cache_dir
from keras_ssl.presets.cache import check_sha256
from keras_ssl.presets.cache import safe_join
from keras_ssl.presets.cache import sha256_of

PIN_SUFFIX = ".sha256"
URL_SCHEMES = ("http", "https")


def fetch_verified(url, sha256=None, cache_subdir="downloads",
                   allow_unpinned=False, filename=None, timeout=60):
    """Returns the local path of `url`'s file, checked against `sha256`.

    Args:
        url: str. An `http://` or `https://` address.
        sha256: str or None. Expected hex digest of the file.
        cache_subdir: str. Folder under `cache_dir()` for the file.
        allow_unpinned: bool. When `sha256` is None: trust the first
            download and pin its digest, instead of refusing.
        filename: str or None. Name in the cache; the URL's last path
            segment when None.
        timeout: float. Seconds to wait for the server.

    Returns:
        str. Path of the verified file in the cache.

    Raises:
        ValueError: the URL or a name is malformed, the file is not pinned
            (without `allow_unpinned`), the download is truncated, or its
            digest differs from the expected one (the message names both).
        ConnectionError: the file is not cached and cannot be downloaded;
            the message names the cache folder to copy it into.
    """
    _check_url(url)
    expected = check_sha256("sha256", sha256)
    folder = safe_join(cache_dir(), cache_subdir)
    target = safe_join(folder, filename or _url_filename(url))
    pinned = _read_pin(target)
    if expected is None:
        if pinned is None and not allow_unpinned:
            raise ValueError(
                f"The file at {url} has no pinned sha256, so its integrity "
                "cannot be checked. Pass the expected digest "
                "(`sha256='...'`), or `allow_unpinned=True` to trust the "
                "first download and pin its digest for later uses."
            )
        expected = pinned
    if os.path.exists(target):
        actual = sha256_of(target)
        if expected is None or actual == expected:
            _write_pin(target, actual)
            return target
        warnings.warn(
            f"The cached file {target} is stale (sha256 {actual}, expected "
            f"{expected}); downloading it again."
        )
        os.remove(target)
    actual = _download(url, target, timeout)
    if expected is not None and actual != expected:
        os.remove(target)
        raise ValueError(
            f"sha256 mismatch for {url}: expected {expected}, got {actual}. "
            "The file was deleted; it may be corrupted or tampered with."
        )
    _write_pin(target, actual)
    return target


def _check_url(url):
    parsed = urllib.parse.urlparse(url) if isinstance(url, str) else None
    if parsed is None or parsed.scheme not in URL_SCHEMES or not parsed.netloc:
        raise ValueError(
            f"`url` must be an http:// or https:// address. Received: "
            f"url={url!r}."
        )


def _url_filename(url):
    name = os.path.basename(urllib.parse.urlparse(url).path)
    if not name:
        raise ValueError(f"The URL {url!r} names no file; pass `filename`.")
    return name


def _read_pin(target):
    path = target + PIN_SUFFIX
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return check_sha256(path, f.read().strip())


def _write_pin(target, digest):
    with open(target + PIN_SUFFIX, "w") as f:
        f.write(digest + "\n")


def _download(url, target, timeout):
    """Streams `url` to `target` through a `.part` file; returns its sha256."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    partial = f"{target}.part-{uuid.uuid4().hex}"
    try:
        received, expected_size = _stream(url, partial, target, timeout)
        if expected_size is not None and received != expected_size:
            raise ValueError(
                f"Truncated download of {url}: received {received} of "
                f"{expected_size} bytes. Nothing was cached; try again."
            )
        digest = sha256_of(partial)
        os.replace(partial, target)
        return digest
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _stream(url, partial, target, timeout):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            with open(partial, "wb") as out:
                shutil.copyfileobj(response, out, 1 << 20)
    except http.client.IncompleteRead as error:
        raise ValueError(
            f"Truncated download of {url}: the connection closed after "
            f"{len(error.partial)} more bytes. Nothing was cached; try again."
        ) from error
    except urllib.error.HTTPError as error:
        if error.code in (403, 404):
            raise FileNotFoundError(
                f"{url} answered {error.code} ({error.reason}): the file "
                "does not exist or is not public."
            ) from error
        raise ConnectionError(_offline_message(url, error, target)) from error
    except (urllib.error.URLError, socket.timeout, OSError) as error:
        raise ConnectionError(_offline_message(url, error, target)) from error
    return os.path.getsize(partial), None if length is None else int(length)


def _offline_message(url, error, target):
    return (
        f"Could not download {url} ({error}). Without network access, put "
        f"the file in the cache folder {cache_dir()} as {target}; it is "
        "used once its sha256 is checked."
    )


def fetch_latest(url, cache_subdir, filename=None, timeout=60):
    """Downloads `url` afresh (a manifest); offline, reuses the cached copy.

    For files that carry the digests of others (a preset's metadata.json):
    they are not verified themselves, so they are fetched anew on each use
    while the network is up, and the last copy is used when it is not.
    """
    _check_url(url)
    target = safe_join(safe_join(cache_dir(), cache_subdir), filename or _url_filename(url))
    try:
        _download(url, target, timeout)
    except ConnectionError:
        if not os.path.exists(target):
            raise
        warnings.warn(f"Offline: using the cached copy {target} of {url}.")
    return target
