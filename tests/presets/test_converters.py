"""Converters against reference PyTorch networks saved in the official layouts.

The references (torchvision / timm networks with random weights, in the
key layouts of MoCo v2/v3, DINO, SwAV, Barlow Twins, MAE ...) are built by
`torch_reference.py` in a subprocess: torchvision aborts a process that
imported tensorflow first. Tests skip when torch, torchvision or timm are
missing (the `tests` extra installs them).
"""

import importlib.util
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_ssl.presets import convert_checkpoint
from keras_ssl.presets import convert_mae_checkpoint
from keras_ssl.presets.converters.checkpoint_reader import read_checkpoint
from keras_ssl.presets.converters.resnet_converter import resnet_from_state_dict

HERE = os.path.dirname(__file__)
NEEDED = ("torch", "torchvision", "timm", "safetensors")
MISSING = [m for m in NEEDED if importlib.util.find_spec(m) is None]
pytestmark = [
    pytest.mark.skipif(
        bool(MISSING),
        reason=f"reference networks need {MISSING} (pip install '.[tests]')",
    ),
    pytest.mark.xdist_group("converters"),  # one worker builds the module fixture
]
TOLERANCE = 1e-4

CASES = {
    "torchvision_resnet": ("torchvision_resnet", ".pth", {}),
    "torchvision_resnet_safetensors": ("torchvision_resnet", ".safetensors", {}),
    "moco_v2_resnet": ("moco_v2_resnet", ".pth", {}),
    "moco_v3_resnet": ("moco_v3_resnet", ".pth", {}),
    "swav_resnet": ("swav_resnet", ".pth", {}),
    "barlow_twins_resnet": ("barlow_twins_resnet", ".pth", {}),
    "dino_resnet": ("dino_resnet", ".pth", {}),
    "timm_vit": ("timm_vit", ".pth", {"num_heads": 4}),
    "dino_vit": ("dino_vit", ".pth", {"num_heads": 2}),
    "moco_v3_vit": ("moco_v3_vit", ".pth", {"num_heads": 4}),
    "torchvision_vit": ("torchvision_vit", ".pth", {"num_heads": 4}),
}


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("torch_references"))
    result = subprocess.run(
        [sys.executable, os.path.join(HERE, "torch_reference.py"), out],
        capture_output=True, text=True, cwd=HERE, timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"torch_reference.py failed:\n{result.stderr[-3000:]}")
    return out


def _features(encoder, images):
    return keras.ops.convert_to_numpy(encoder(images, training=False))


@pytest.mark.parametrize("case", sorted(CASES))
def test_conversion_matches_reference(references, case):
    family, suffix, kwargs = CASES[case]
    reference = np.load(os.path.join(references, f"{case}.npz"))
    encoder = convert_checkpoint(
        os.path.join(references, case + suffix), family,
        image_shape=reference["images"].shape[1:], **kwargs,
    )
    np.testing.assert_allclose(
        _features(encoder, reference["images"]), reference["features"],
        atol=TOLERANCE, rtol=TOLERANCE,
    )


def test_mae_encoder_and_decoder_match_reference(references):
    reference = np.load(os.path.join(references, "mae_vit.npz"))
    encoder, decoder = convert_mae_checkpoint(
        os.path.join(references, "mae_vit.pth"), num_heads=4, decoder_num_heads=2
    )
    np.testing.assert_allclose(
        _features(encoder, reference["images"]), reference["features"],
        atol=TOLERANCE, rtol=TOLERANCE,
    )
    pixels = decoder([reference["tokens"], reference["mask"]])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(pixels), reference["pixels"],
        atol=TOLERANCE, rtol=TOLERANCE,
    )


def test_dino_student_is_read_on_request(references):
    path = os.path.join(references, "dino_resnet.pth")
    reference = np.load(os.path.join(references, "dino_resnet.npz"))
    # The reference file's student equals its teacher (same weights).
    encoder = convert_checkpoint(
        path, "dino_resnet", checkpoint_key="student", prefix="module.backbone.",
        outside=("module.head.",), image_shape=(64, 64, 3),
    )
    np.testing.assert_allclose(
        _features(encoder, reference["images"]), reference["features"], atol=TOLERANCE
    )


def _resnet_state(references):
    return read_checkpoint(os.path.join(references, "torchvision_resnet.pth"))


def test_unused_key_is_named(references):
    state = _resnet_state(references)
    state["layer5.0.conv1.weight"] = np.zeros((1, 1, 1, 1), "float32")
    with pytest.raises(ValueError, match=r"unused key 'layer5\.0\.conv1\.weight'"):
        resnet_from_state_dict(state, (64, 64, 3))


def test_shape_mismatch_is_named(references):
    state = _resnet_state(references)
    state["layer2.0.bn1.running_mean"] = np.zeros((7,), "float32")
    with pytest.raises(ValueError, match=r"shape mismatch for 'layer2\.0\.bn1\.running_mean'.*\(7,\).*\(128,\)"):
        resnet_from_state_dict(state, (64, 64, 3))


def test_missing_key_is_named(references):
    state = _resnet_state(references)
    del state["layer3.0.conv2.weight"]
    with pytest.raises(ValueError, match=r"missing key 'layer3\.0\.conv2\.weight'"):
        resnet_from_state_dict(state, (64, 64, 3))


def test_wrong_family_is_refused(references):
    with pytest.raises(ValueError, match="no key starts with 'module.encoder_q.'"):
        convert_checkpoint(os.path.join(references, "moco_v3_resnet.pth"), "moco_v2_resnet")


def test_vit_needs_num_heads(references):
    with pytest.raises(ValueError, match="num_heads"):
        convert_checkpoint(os.path.join(references, "timm_vit.pth"), "timm_vit")


def test_unknown_family_is_refused(references):
    with pytest.raises(ValueError, match="Unknown checkpoint family 'simclr_tf'"):
        convert_checkpoint(os.path.join(references, "timm_vit.pth"), "simclr_tf")
