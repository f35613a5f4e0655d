"""Every recipe end to end on a tiny image folder (3 classes, 8x8 images)."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from keras_ssl import presets
from keras_ssl.recipes import few_shot
from keras_ssl.recipes import finetune
from keras_ssl.recipes import knn_sweep
from keras_ssl.recipes import linear_probe
from keras_ssl.recipes import lora_finetune
from keras_ssl.recipes import pretrain
from keras_ssl.recipes import semi_supervised
from keras_ssl.presets import zoo_registry
from keras_ssl.recipes.pretrain_configs import CONFIGS
from keras_ssl.recipes.pretrain_configs import get_config

# One worker builds the module fixtures (a pretrained preset).
pytestmark = pytest.mark.xdist_group("recipes")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        for label in range(3):
            os.makedirs(root / split / f"class{label}")
            for i in range(8):
                pixels = rng.integers(0, 60, (8, 8, 3)) + 80 * label
                Image.fromarray(pixels.astype("uint8")).save(root / split / f"class{label}" / f"{i}.png")
    return str(root)


@pytest.fixture(scope="module")
def preset(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    zoo = out / "zoo"
    original = zoo_registry.ZOO_ROOT
    zoo_registry.ZOO_ROOT = str(zoo)
    try:
        results = pretrain.main([
            "--config", "simclr:small_cpu", "--dataset", folder, "--epochs", "1", "--batch-size", "8",
            "--preset-dir", str(out / "preset"), "--zoo-entry", "simclr_small_cnn_tiny",
        ])
    finally:
        zoo_registry.ZOO_ROOT = original
    entry = json.load(open(zoo / "entries" / "simclr_small_cnn_tiny.json"))
    assert entry["metrics"]["measured"]["knn"]["value"] == round(100 * results["knn_accuracy"], 1)
    assert "keras-ssl recipe pretrain --config simclr:small_cpu" in entry["recipe"]
    presets.verify_folder(str(zoo / "presets" / "simclr_small_cnn_tiny"), expected=entry["files"])
    assert (zoo / "presets" / "simclr_small_cnn_tiny" / "README.md").exists()
    return str(out / "preset")


def test_every_method_has_a_paper_and_a_small_cpu_config():
    from keras_ssl import methods

    assert set(CONFIGS) == set(methods.METHODS)
    for name, variants in CONFIGS.items():
        for variant, config in variants.items():
            assert config["command"] == f"keras-ssl recipe pretrain --config {name}:{variant}"
            assert config["expected_run_time"] and config["expected"]["status"]
    with pytest.raises(ValueError, match="Unknown config 'simclr:huge'"):
        get_config("simclr:huge")


def test_pretrain_recipe_writes_a_loadable_preset(preset):
    metadata = presets.read_metadata(preset)
    assert metadata["method"] == "simclr" and 0 <= metadata["results"]["knn_accuracy"] <= 1
    assert presets.from_preset(preset).output_shape[-1] == 256


def test_linear_probe_and_knn_sweep(folder, preset, tmp_path):
    probe = linear_probe.main(["--preset", preset, "--dataset", folder, "--epochs", "3"])
    assert 0 <= probe["linear_probe_accuracy"] <= 1
    sweep = knn_sweep.main([
        "--preset", preset, "--dataset", folder, "--k", "3", "5", "--temperature", "0.1", "0.5",
        "--features", "backbone", "projector", "--output", str(tmp_path / "sweep.json"),
    ])
    assert len(sweep["grid"]) == 8 and json.load(open(tmp_path / "sweep.json"))["best"] == sweep["best"]


def test_full_lora_and_semi_supervised_finetuning(folder, preset):
    common = ["--preset", preset, "--dataset", folder, "--epochs", "1", "--batch-size", "8"]
    full = finetune.main(common)
    lora = lora_finetune.main(common + ["--lora-rank", "2"])
    assert lora["lora_layers"] == 4 and lora["trainable_parameters"] < full["trainable_parameters"] / 5
    semi = semi_supervised.main(common + ["--label-fraction", "0.25"])
    assert semi["labelled_images"] == 6  # 2 of 8 per class
    for result in (full, lora, semi):
        assert 0 <= result["test_accuracy"] <= 1


def test_few_shot(folder, preset):
    result = few_shot.main([
        "--preset", preset, "--dataset", folder, "--ways", "3", "--shots", "1", "2",
        "--queries", "3", "--episodes", "4",
    ])
    assert 0 <= result["3way_1shot_accuracy"] <= 1 and "3way_2shot_ci95" in result
    with pytest.raises(ValueError, match="--ways"):
        few_shot.main(["--preset", preset, "--dataset", folder, "--ways", "5"])
