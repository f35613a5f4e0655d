import hashlib
import os
import socket

import pytest

from keras_ssl.presets import fetch_verified

DATA = b"checkpoint bytes " * 100
DIGEST = hashlib.sha256(DATA).hexdigest()


def _cached(cache, name="ckpt.pth"):
    return os.path.join(cache, "downloads", name)


def test_download_is_verified_and_cached(cache, server):
    server.files["/ckpt.pth"] = DATA
    path = fetch_verified(f"{server.url}/ckpt.pth", sha256=DIGEST)
    assert open(path, "rb").read() == DATA
    assert path == _cached(cache)
    fetch_verified(f"{server.url}/ckpt.pth", sha256=DIGEST)
    assert server.requests == ["/ckpt.pth"]  # the second use read the cache


def test_sha256_mismatch_names_both_and_caches_nothing(cache, server):
    server.files["/ckpt.pth"] = DATA
    wrong = "0" * 64
    with pytest.raises(ValueError, match=f"expected {wrong}, got {DIGEST}"):
        fetch_verified(f"{server.url}/ckpt.pth", sha256=wrong)
    assert os.listdir(os.path.dirname(_cached(cache))) == []


def test_truncated_download_is_not_cached(cache, server):
    server.files["/ckpt.pth"] = DATA
    server.truncated.add("/ckpt.pth")
    with pytest.raises(ValueError, match="Truncated download"):
        fetch_verified(f"{server.url}/ckpt.pth", sha256=DIGEST)
    assert os.listdir(os.path.dirname(_cached(cache))) == []


def test_stale_cache_is_fetched_again(cache, server):
    server.files["/ckpt.pth"] = DATA
    os.makedirs(os.path.dirname(_cached(cache)))
    with open(_cached(cache), "wb") as f:
        f.write(b"an older, different file")
    with pytest.warns(UserWarning, match="stale"):
        path = fetch_verified(f"{server.url}/ckpt.pth", sha256=DIGEST)
    assert open(path, "rb").read() == DATA
    assert server.requests == ["/ckpt.pth"]


def test_unpinned_file_is_refused_by_default(cache, server):
    server.files["/ckpt.pth"] = DATA
    with pytest.raises(ValueError, match="no pinned sha256"):
        fetch_verified(f"{server.url}/ckpt.pth")
    assert server.requests == []


def test_allow_unpinned_pins_the_first_download(cache, server):
    server.files["/ckpt.pth"] = DATA
    fetch_verified(f"{server.url}/ckpt.pth", allow_unpinned=True)
    assert open(_cached(cache) + ".sha256").read().strip() == DIGEST
    # Later uses check the pin: a changed cached file is fetched again
    # and a changed server file is refused.
    server.files["/ckpt.pth"] = b"changed upstream"
    with open(_cached(cache), "wb") as f:
        f.write(b"tampered")
    with pytest.warns(UserWarning, match="stale"), pytest.raises(ValueError, match=f"expected {DIGEST}"):
        fetch_verified(f"{server.url}/ckpt.pth")


def test_no_network_error_names_the_cache_folder(cache, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    with pytest.raises(ConnectionError, match=str(cache)):
        fetch_verified("http://127.0.0.1:9/ckpt.pth", sha256=DIGEST)


def test_offline_with_a_verified_cached_copy_needs_no_network(cache, monkeypatch):
    os.makedirs(os.path.dirname(_cached(cache)))
    with open(_cached(cache), "wb") as f:
        f.write(DATA)
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: (_ for _ in ()).throw(OSError("offline")))
    assert fetch_verified("http://127.0.0.1:9/ckpt.pth", sha256=DIGEST) == _cached(cache)


@pytest.mark.parametrize("url", ["ftp://host/x.pth", "file:///etc/passwd", "not a url", None])
def test_bad_url_is_refused(cache, url):
    with pytest.raises(ValueError, match="url"):
        fetch_verified(url, sha256=DIGEST)


def test_file_name_escaping_the_cache_is_refused(cache):
    with pytest.raises(ValueError, match="escapes its folder"):
        fetch_verified("http://127.0.0.1:9/x.pth", sha256=DIGEST, filename="../../outside.pth")


def test_malformed_sha256_is_refused(cache):
    with pytest.raises(ValueError, match="sha256"):
        fetch_verified("http://127.0.0.1:9/x.pth", sha256="abc")
