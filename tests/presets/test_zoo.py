import json
import os

import keras
import numpy as np
import pytest

from keras_ssl import cli
from keras_ssl import presets
from keras_ssl import recipes
from keras_ssl.presets import zoo_registry
from keras_ssl.presets.zoo_registry import KINDS


def test_every_entry_is_complete():
    names = presets.list_zoo()
    assert len(names) >= 20
    for name in names:
        entry = presets.get_zoo_entry(name)
        assert entry["kind"] in KINDS
        assert set(entry["metrics"]) == {"reported", "measured"}
        assert entry["files"] and entry["parameter_count"] > 0
    assert {"keras_ssl", "keras_hub", "converted"} == {presets.get_zoo_entry(n)["kind"] for n in names}


def test_converted_entries_pin_nothing_they_could_not_hash():
    for name in presets.list_zoo("converted"):
        entry = presets.get_zoo_entry(name)
        assert entry["source"].startswith("https://dl.fbaipublicfiles.com/")
        assert [f["sha256"] for f in entry["files"].values()] == [None]


def test_shipped_entries_are_pinned_measured_and_load():
    names = presets.list_zoo("keras_ssl")
    assert names
    for name in names:
        entry = presets.get_zoo_entry(name)
        assert all(len(f["sha256"]) == 64 for f in entry["files"].values())
        assert entry["metrics"]["measured"]["knn"]["value"] > 0
        for facts in entry["files"].values():
            assert facts["size"] < 5 * 2**20  # files stay small in the repository
        encoder = presets.from_preset(name)
        shape = (2,) + tuple(encoder.input_shape[1:])
        assert encoder(np.zeros(shape, "float32")).shape[0] == 2


def _entry(tmp_path, monkeypatch, entry):
    entries = tmp_path / "entries"
    entries.mkdir(exist_ok=True)
    base = {"method": "m", "encoder": "e", "dataset": "d", "description": "test",
            "recipe": "r", "metrics": {"reported": {}, "measured": {}}, "parameter_count": 1}
    (entries / f"{entry['name']}.json").write_text(json.dumps({**base, **entry}))
    monkeypatch.setattr(zoo_registry, "ENTRIES_DIR", str(entries))


def test_keras_hub_entry_is_pinned_on_first_use(tmp_path, monkeypatch, cache):
    import keras_hub

    backbone = keras_hub.models.DINOV2Backbone(
        patch_size=14, num_layers=1, hidden_dim=8, num_heads=2, intermediate_dim=16,
        image_shape=(28, 28, 3), position_embedding_shape=(28, 28, 3),
    )
    backbone.save_to_preset(str(tmp_path / "hub"))
    files = {n: {"size": None, "sha256": None} for n in ("config.json", "model.weights.h5")}
    _entry(tmp_path, monkeypatch, {"name": "tiny_dinov2", "kind": "keras_hub", "source": str(tmp_path / "hub"),
                                   "keras_hub_class": "DINOV2Backbone", "component": None, "files": files})
    with pytest.raises(ValueError, match="pins no sha256"):
        presets.from_preset("tiny_dinov2")
    loaded = presets.from_preset("tiny_dinov2", allow_unpinned=True)
    x = np.random.default_rng(0).normal(size=(2, 28, 28, 3)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(backbone(x)), atol=1e-5)
    assert presets.from_preset("tiny_dinov2") is not None  # pinned now
    with open(tmp_path / "hub" / "model.weights.h5", "ab") as f:
        f.write(b"\0")
    with pytest.raises(ValueError, match="sha256 mismatch for model.weights.h5"):
        presets.from_preset("tiny_dinov2")


def _torchvision_layout_resnet18ish():
    rng = np.random.default_rng(0)
    state = {"conv1.weight": rng.normal(size=(64, 3, 7, 7)) * 0.05}

    def bn(name, c):
        state.update({f"{name}.weight": np.ones(c), f"{name}.bias": np.zeros(c),
                      f"{name}.running_mean": np.zeros(c), f"{name}.running_var": np.ones(c)})

    bn("bn1", 64)
    width = 64
    for stage, c in enumerate((64, 128, 256, 512), start=1):
        p = f"layer{stage}.0"
        state[f"{p}.conv1.weight"] = rng.normal(size=(c, width, 3, 3)) * 0.05
        state[f"{p}.conv2.weight"] = rng.normal(size=(c, c, 3, 3)) * 0.05
        bn(f"{p}.bn1", c)
        bn(f"{p}.bn2", c)
        if stage > 1:
            state[f"{p}.downsample.0.weight"] = rng.normal(size=(c, width, 1, 1)) * 0.05
            bn(f"{p}.downsample.1", c)
        width = c
    return {k: v.astype("float32") for k, v in state.items()}


def test_converted_entry_needs_a_digest_or_an_opt_in(tmp_path, monkeypatch, cache, server):
    import hashlib

    torch = pytest.importorskip("torch")
    path = tmp_path / "resnet.pth"
    torch.save({k: torch.from_numpy(v) for k, v in _torchvision_layout_resnet18ish().items()}, path)
    data = path.read_bytes()
    server.files["/resnet.pth"] = data
    _entry(tmp_path, monkeypatch, {"name": "tiny_resnet", "kind": "converted", "source": f"{server.url}/resnet.pth",
                                   "converter": {"family": "torchvision_resnet", "image_shape": [32, 32, 3]},
                                   "files": {"resnet.pth": {"size": None, "sha256": None}}})
    with pytest.raises(ValueError, match="no pinned sha256"):
        presets.from_preset("tiny_resnet")
    with pytest.raises(ValueError, match="sha256 mismatch"):
        presets.from_preset("tiny_resnet", sha256="1" * 64)
    digest = hashlib.sha256(data).hexdigest()
    encoder = presets.from_preset("tiny_resnet", sha256=digest)
    assert encoder(np.zeros((1, 32, 32, 3), "float32")).shape == (1, 512)


def test_cli_lists_and_shows_the_zoo(capsys):
    assert cli.main(["zoo", "list"]) == 0
    out = capsys.readouterr().out
    assert "dinov2_vit_small_lvd142m" in out and "moco_v2_resnet50_imagenet_800ep" in out
    assert cli.main(["zoo", "show", "dino_vit_small16_imagenet"]) == 0
    out = capsys.readouterr().out
    assert "dino_deitsmall16_pretrain.pth" in out and "74.5" in out
    assert cli.main(["zoo", "show", "clowntown"]) == 2
    assert "Unknown preset 'clowntown'" in capsys.readouterr().err


def test_cli_recipe_names_match_the_recipes():
    assert cli.RECIPE_NAMES == recipes.RECIPES
