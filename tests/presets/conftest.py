import pytest

from tests.presets.http_server import FileServer


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("KERAS_SSL_CACHE", str(folder))
    return folder


@pytest.fixture
def server():
    files = FileServer()
    yield files
    files.close()
