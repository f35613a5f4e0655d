import hashlib
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_ssl import methods
from keras_ssl import presets
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder

IMAGES = np.random.default_rng(0).uniform(0, 255, (8, 8, 8, 3)).astype("float32")


def _trained_simclr():
    model = methods.SimCLR(tiny_encoder(), augmenter=tiny_augmenter(), projection_hidden_dim=8, projection_dim=4)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(IMAGES, epochs=1, batch_size=4, verbose=0)
    return model


def _features(model, images=IMAGES):
    return keras.ops.convert_to_numpy(model(images, training=False))


def test_round_trip_of_encoder_and_ssl_model(tmp_path):
    model = _trained_simclr()
    record = presets.save_to_preset(model, str(tmp_path), metadata={"method": "simclr"})
    assert sorted(os.listdir(tmp_path)) == [
        "config.json", "metadata.json", "model.weights.h5", "ssl_model.json", "ssl_model.weights.h5",
    ]
    for name, facts in record["files"].items():
        data = open(tmp_path / name, "rb").read()
        assert facts == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert record["method"] == "simclr" and record["parameter_count"] == model.encoder.count_params()
    encoder = presets.from_preset(str(tmp_path))
    np.testing.assert_allclose(_features(encoder), _features(model.encoder), atol=1e-6)
    restored = presets.from_preset(str(tmp_path), ssl_model=True)
    assert isinstance(restored, methods.SimCLR)
    for a, b in zip(restored.weights, model.weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
    # Pretraining continues from the loaded model (it kept its compile config).
    before = [keras.ops.convert_to_numpy(w).copy() for w in restored.encoder.trainable_weights]
    restored.fit(IMAGES, epochs=1, batch_size=4, verbose=0)
    after = [keras.ops.convert_to_numpy(w) for w in restored.encoder.trainable_weights]
    assert any(not np.allclose(a, b) for a, b in zip(before, after))


def test_ema_target_and_queue_are_restored(tmp_path):
    model = methods.MoCoV2(tiny_encoder(), augmenter=tiny_augmenter(), queue_size=8,
                           projection_hidden_dim=8, projection_dim=4)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(IMAGES, epochs=1, batch_size=4, verbose=0)
    presets.save_to_preset(model, str(tmp_path))
    restored = presets.from_preset(str(tmp_path), ssl_model=True)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(restored.queue.keys), keras.ops.convert_to_numpy(model.queue.keys))
    assert int(keras.ops.convert_to_numpy(restored.queue.pointer)) == int(keras.ops.convert_to_numpy(model.queue.pointer))
    np.testing.assert_allclose(_features(restored.target_encoder), _features(model.target_encoder), atol=1e-6)


def test_encoder_loads_with_keras_and_keras_hub_alone(tmp_path):
    model = _trained_simclr()
    presets.save_to_preset(model, str(tmp_path))
    np.save(tmp_path / "x.npy", IMAGES)
    np.save(tmp_path / "expected.npy", _features(model.encoder))
    script = f"""
import json, sys, numpy as np, keras
sys.modules["keras_ssl"] = None  # importing keras_ssl would now fail
config = json.load(open({str(tmp_path / 'config.json')!r}))
encoder = keras.saving.deserialize_keras_object(config, safe_mode=True)
encoder.load_weights({str(tmp_path / 'model.weights.h5')!r})
from keras_hub.src.utils.preset_utils import get_preset_loader
hub = get_preset_loader({str(tmp_path)!r}).load_backbone(keras.Model, load_weights=True)
x = np.load({str(tmp_path / 'x.npy')!r}); expected = np.load({str(tmp_path / 'expected.npy')!r})
for m in (encoder, hub):
    np.testing.assert_allclose(keras.ops.convert_to_numpy(m(x, training=False)), expected, atol=1e-5)
print("loaded without keras_ssl")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240)
    assert "loaded without keras_ssl" in result.stdout, result.stderr[-2000:]


def test_modified_file_is_detected(tmp_path):
    presets.save_to_preset(tiny_encoder(), str(tmp_path))
    with open(tmp_path / "model.weights.h5", "ab") as f:
        f.write(b"\0")
    with pytest.raises(ValueError, match="sha256 mismatch for .*model.weights.h5: expected [0-9a-f]{64}, got [0-9a-f]{64}"):
        presets.from_preset(str(tmp_path))


def test_metadata_path_escaping_the_folder_is_refused(tmp_path):
    presets.save_to_preset(tiny_encoder(), str(tmp_path / "p"))
    metadata = json.load(open(tmp_path / "p" / "metadata.json"))
    metadata["files"]["../secret"] = {"sha256": "0" * 64, "size": 1}
    json.dump(metadata, open(tmp_path / "p" / "metadata.json", "w"))
    with pytest.raises(ValueError, match="escapes its folder"):
        presets.from_preset(str(tmp_path / "p"))


def test_lambda_in_config_is_refused_in_safe_mode(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    os.makedirs(tmp_path / "p")
    json.dump(keras.saving.serialize_keras_object(model), open(tmp_path / "p" / "config.json", "w"))
    with pytest.raises(ValueError, match="(?i)unsafe|arbitrary code"):
        presets.from_preset(str(tmp_path / "p"), load_weights=False)


def test_unknown_name_and_malformed_handles(tmp_path):
    with pytest.raises(ValueError, match="Unknown preset 'clowntown'"):
        presets.from_preset("clowntown")
    with pytest.raises(ValueError, match="Did you mean"):
        presets.from_preset("simclr_small_cnn_shape")
    with pytest.raises(ValueError, match=r"hf://\{org\}/\{model\}"):
        presets.from_preset("hf://only-one-part")
    with pytest.raises(ValueError, match="kaggle://"):
        presets.from_preset("kaggle://keras/dinov2")
    with pytest.raises(ValueError, match="Unknown preset scheme 's3'"):
        presets.from_preset("s3://bucket/model")
    with pytest.raises(FileNotFoundError, match="no ssl_model.json"):
        presets.save_to_preset(tiny_encoder(), str(tmp_path))
        presets.from_preset(str(tmp_path), ssl_model=True)


def test_hf_handle_downloads_and_verifies(tmp_path, cache, server):
    model = tiny_encoder()
    presets.save_to_preset(model, str(tmp_path))
    for name in ("config.json", "model.weights.h5", "metadata.json"):
        server.files[f"/org/tiny/resolve/main/{name}"] = open(tmp_path / name, "rb").read()
    os.environ["KERAS_SSL_HF_ENDPOINT"] = server.url
    try:
        encoder = presets.from_preset("hf://org/tiny")
        np.testing.assert_allclose(_features(encoder), _features(model), atol=1e-6)
        server.files["/org/tiny/resolve/main/model.weights.h5"] += b"\0"
        os.remove(os.path.join(cache, "hf", "org", "tiny", "main", "model.weights.h5"))
        with pytest.raises(ValueError, match="sha256 mismatch"):
            presets.from_preset("hf://org/tiny")
    finally:
        del os.environ["KERAS_SSL_HF_ENDPOINT"]


def test_malicious_pickle_is_never_run(tmp_path):
    pytest.importorskip("torch")
    sentinel = tmp_path / "pwned"
    script = f"""
import os, pickle, zipfile, torch
class Evil:
    def __reduce__(self):
        return (os.system, ("touch {sentinel}",))
torch.save({{"w": torch.zeros(2)}}, "{tmp_path}/good.pth")
with zipfile.ZipFile("{tmp_path}/good.pth") as zin, zipfile.ZipFile("{tmp_path}/evil.pth", "w") as zout:
    for item in zin.infolist():
        data = zin.read(item.filename)
        zout.writestr(item, pickle.dumps({{"w": Evil()}}, protocol=2) if item.filename.endswith("data.pkl") else data)
with open("{tmp_path}/evil_plain.pth", "wb") as f:
    pickle.dump({{"w": Evil()}}, f)
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    for name in ("evil.pth", "evil_plain.pth"):
        with pytest.raises(ValueError, match="Refused to read"):
            presets.convert_checkpoint(str(tmp_path / name), "torchvision_resnet")
    assert not sentinel.exists()


def test_training_arguments_namespace_is_allowed(tmp_path):
    torch = pytest.importorskip("torch")
    import argparse

    from keras_ssl.presets.converters.checkpoint_reader import read_checkpoint

    torch.save({"args": argparse.Namespace(lr=0.1), "w": torch.ones(2)}, tmp_path / "c.pth")
    content = read_checkpoint(str(tmp_path / "c.pth"))
    assert content["args"].lr == 0.1 and content["w"].tolist() == [1.0, 1.0]
