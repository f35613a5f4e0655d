"""The `keras-ssl` command and the pipeline jobs, on a tiny image folder."""

import json
import os

import numpy as np
import pytest

from keras_ssl import cli


def write_folder(root, per_class=6, size=8):
    from PIL import Image

    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        for label, name in enumerate(["dark", "light"]):
            folder = root / split / name
            folder.mkdir(parents=True)
            for i in range(per_class):
                base = 40 + 170 * label
                pixels = rng.integers(base - 30, base + 30, (size, size, 3))
                Image.fromarray(pixels.astype("uint8")).save(folder / f"{i}.png")
    return str(root)


def test_pretrain_then_evaluate(tmp_path, capsys):
    data = write_folder(tmp_path / "data")
    out = str(tmp_path / "run")
    args = ["pretrain", "simclr", "--dataset", data, "--epochs", "1", "--batch-size", "4", "--output", out]
    assert cli.main(args) == 0
    printed = capsys.readouterr().out
    for key in ("raw_pixel_knn", "knn", "linear_probe"):
        assert key in printed
    for name in ("encoder.keras", "model.keras", "results.json"):
        assert os.path.isfile(os.path.join(out, name))
    with open(os.path.join(out, "results.json")) as f:
        results = json.load(f)
    assert 0.0 <= results["knn"] <= 1.0 and results["epochs"] == 1
    assert cli.main(["evaluate", out, "--dataset", data]) == 0
    assert "linear_probe" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["pretrain", "mae"], "invalid choice"),
        (["pretrain", "simclr", "--epochs", "0"], "expected an integer >= 1"),
        (["pretrain", "simclr", "--learning-rate", "nan"], "expected a number > 0"),
    ],
)
def test_bad_arguments_print_one_line(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_missing_model_dir_is_one_clear_line(tmp_path, capsys):
    assert cli.main(["evaluate", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip()
    assert "encoder" in err and len(err.splitlines()) == 1


def test_cli_method_names_match_the_method_registry():
    from keras_ssl import methods

    assert sorted(cli.METHOD_NAMES) == sorted(methods.METHODS)


def test_small_data_swav_and_msn_build_with_their_settings():
    from keras_ssl import pipeline

    swav = pipeline.build_method("swav", (32, 32, 3))
    assert swav.encoder.input_shape == (None, None, None, 3)
    assert (swav.prototypes.num_prototypes, swav.queue_size) == (100, 512)
    assert len(swav.augmenter.augmentations) == 6
    msn = pipeline.build_method("msn", (32, 32, 3))
    assert (msn.prototypes.num_prototypes, msn.patch_mask.patch_size) == (128, 4)
    assert len(msn.augmenter.augmentations) == 6


def test_every_method_has_small_data_epochs_and_settings():
    from keras_ssl import methods
    from keras_ssl import pipeline

    assert set(pipeline.SMALL_DATA_EPOCHS) == set(methods.METHODS)
    assert set(pipeline.AUGMENTATIONS) == set(methods.METHODS)
    assert all(e >= 1 for e in pipeline.SMALL_DATA_EPOCHS.values())
