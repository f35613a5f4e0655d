import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import keras

from keras_ssl import encoders


def images(batch=2, shape=(32, 32, 3)):
    rng = np.random.default_rng(0)
    return rng.uniform(0, 255, size=(batch,) + shape).astype("float32")


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


def token_model(num_tokens=5, dim=6):
    """Maps (4, 4, 3) images to (num_tokens, dim) tokens."""
    inputs = keras.Input(shape=(4, 4, 3))
    x = keras.layers.Reshape((16 * 3,))(inputs)
    x = keras.layers.Dense(num_tokens * dim)(x)
    tokens = keras.layers.Reshape((num_tokens, dim))(x)
    return keras.Model(inputs, tokens, name="tokens")


class SubclassedEncoder(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.conv = keras.layers.Conv2D(4, 3, padding="same")

    def call(self, x):
        return self.conv(x)


def tiny_vit():
    keras_hub = pytest.importorskip("keras_hub")
    return keras_hub.models.ViTBackbone(
        image_shape=(32, 32, 3), patch_size=8, num_layers=1, num_heads=2,
        hidden_dim=16, mlp_dim=32,
    )


def tiny_hub_resnet():
    keras_hub = pytest.importorskip("keras_hub")
    return keras_hub.models.ResNetBackbone(
        input_conv_filters=[64],
        input_conv_kernel_sizes=[3],
        stackwise_num_filters=[64, 32],
        stackwise_num_blocks=[1, 1],
        stackwise_num_strides=[1, 2],
        block_type="basic_block",
        use_pre_activation=False,
        image_shape=(32, 32, 3),
    )


def assert_round_trip(model, x, path):
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(
        to_numpy(restored(x, training=False)),
        to_numpy(model(x, training=False)),
        rtol=1e-5, atol=1e-5,
    )


def test_vector_output_is_returned_unchanged():
    inputs = keras.Input(shape=(4, 4, 3))
    model = keras.Model(inputs, keras.layers.Flatten()(inputs))
    assert encoders.as_feature_encoder(model) is model


def conv_trunk():
    """Maps (8, 8, 3) images to a (4, 4, 5) feature map."""
    inputs = keras.Input(shape=(8, 8, 3))
    x = keras.layers.Conv2D(5, 3, strides=2, padding="same")(inputs)
    return keras.Model(inputs, x, name="trunk")


def test_feature_map_is_average_pooled():
    trunk = conv_trunk()
    encoder = encoders.as_feature_encoder(trunk)
    x = images(shape=(8, 8, 3))
    expected = to_numpy(trunk(x)).mean(axis=(1, 2))
    np.testing.assert_allclose(
        to_numpy(encoder(x)), expected, rtol=1e-5, atol=1e-5
    )
    assert encoder.name == "trunk_features"
    # The wrapper calls the trunk itself, so it shares the trunk's weights.
    assert encoder.layers[1] is trunk


def test_resnet_trunk_becomes_a_vector_encoder():
    trunk = encoders.ResNet18(image_shape=(16, 16, 3), include_pooling=False)
    encoder = encoders.as_feature_encoder(trunk)
    assert encoder.output_shape == (None, 512)


def test_feature_map_pooling_respects_data_format():
    inputs = keras.Input(shape=(4, 5, 3))
    channels_first = keras.layers.Permute((3, 1, 2))(inputs)
    model = keras.Model(inputs, channels_first)
    encoder = encoders.as_feature_encoder(model, data_format="channels_first")
    x = images(shape=(4, 5, 3))
    assert encoder.output_shape == (None, 3)
    np.testing.assert_allclose(
        to_numpy(encoder(x)), x.mean(axis=(1, 2)), rtol=1e-5
    )


@pytest.mark.parametrize("pooling", ["class", "mean"])
def test_token_pooling(pooling, tmp_path):
    model = token_model()
    encoder = encoders.as_feature_encoder(model, token_pooling=pooling)
    x = images(shape=(4, 4, 3))
    tokens = to_numpy(model(x))
    expected = tokens[:, 0] if pooling == "class" else tokens.mean(axis=1)
    np.testing.assert_allclose(to_numpy(encoder(x)), expected, rtol=1e-5)
    assert_round_trip(encoder, x, str(tmp_path / "tokens.keras"))


def test_class_token_with_a_variable_number_of_tokens(tmp_path):
    inputs = keras.Input(shape=(None, None, 3))
    tokens = keras.layers.Dense(4)(keras.layers.Reshape((-1, 3))(inputs))
    model = keras.Model(inputs, tokens)
    encoder = encoders.as_feature_encoder(model, token_pooling="class")
    assert encoder.output_shape == (None, 4)
    x = images(shape=(3, 5, 3))
    expected = to_numpy(model(x))[:, 0]
    np.testing.assert_allclose(to_numpy(encoder(x)), expected, rtol=1e-5)
    assert_round_trip(encoder, x, str(tmp_path / "variable_tokens.keras"))


def test_keras_hub_resnet_backbone_becomes_a_vector_encoder(tmp_path):
    backbone = tiny_hub_resnet()
    encoder = encoders.as_feature_encoder(backbone)
    x = images()
    features = to_numpy(encoder(x, training=False))
    assert features.shape == (2, 32)
    assert_round_trip(encoder, x, str(tmp_path / "hub_resnet.keras"))


@pytest.mark.parametrize("pooling", ["class", "mean"])
def test_keras_hub_vit_backbone_becomes_a_vector_encoder(pooling, tmp_path):
    backbone = tiny_vit()
    encoder = encoders.as_feature_encoder(backbone, token_pooling=pooling)
    x = images()
    tokens = to_numpy(backbone(x, training=False))
    expected = tokens[:, 0] if pooling == "class" else tokens.mean(axis=1)
    features = to_numpy(encoder(x, training=False))
    assert features.shape == (2, 16)
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-5)
    assert_round_trip(encoder, x, str(tmp_path / "hub_vit.keras"))


def test_saved_wrapper_loads_without_keras_ssl(tmp_path):
    encoder = encoders.as_feature_encoder(token_model(), token_pooling="class")
    x = images(shape=(4, 4, 3))
    path = str(tmp_path / "wrapper.keras")
    data = str(tmp_path / "data.npz")
    encoder.save(path)
    np.savez(data, x=x, y=to_numpy(encoder(x)))
    script = textwrap.dedent(
        f"""
        import sys
        import numpy as np
        import keras
        model = keras.saving.load_model({path!r}, safe_mode=True)
        data = np.load({data!r})
        y = keras.ops.convert_to_numpy(model(data["x"]))
        np.testing.assert_allclose(y, data["y"], rtol=1e-5, atol=1e-6)
        assert "keras_ssl" not in sys.modules
        """
    )
    env = dict(os.environ, KERAS_BACKEND=keras.backend.backend())
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True,
        text=True, cwd=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_subclassed_model_needs_image_shape():
    with pytest.raises(ValueError, match="image_shape"):
        encoders.as_feature_encoder(SubclassedEncoder())
    encoder = encoders.as_feature_encoder(
        SubclassedEncoder(), image_shape=(8, 8, 3)
    )
    assert tuple(encoder(images(shape=(8, 8, 3))).shape) == (2, 4)


def test_mismatched_channels_raise():
    model = encoders.SmallCNN(image_shape=(16, 16, 3), widths=(4,))
    with pytest.raises(ValueError, match=r"\(16, 16, 3\).*\(16, 16, 1\)"):
        encoders.check_image_shape(model, (16, 16, 1))
    with pytest.raises(ValueError, match=r"\(8, 8, 1\)"):
        encoders.as_feature_encoder(conv_trunk(), image_shape=(8, 8, 1))


def test_check_image_shape_accepts_matching_and_open_sizes():
    fixed = encoders.SmallCNN(image_shape=(16, 16, 3), widths=(4,))
    encoders.check_image_shape(fixed, (16, 16, 3))
    encoders.check_image_shape(fixed, (None, None, 3))
    open_size = encoders.SmallCNN(image_shape=(None, None, 3), widths=(4,))
    encoders.check_image_shape(open_size, (64, 48, 3))
    with pytest.raises(ValueError, match="expects images of shape"):
        encoders.check_image_shape(open_size, (64, 48, 4))


def test_unsupported_output_rank_raises():
    inputs = keras.Input(shape=(4, 4, 3))
    rank5 = keras.layers.Reshape((2, 2, 4, 3))(inputs)
    with pytest.raises(ValueError, match="rank"):
        encoders.as_feature_encoder(keras.Model(inputs, rank5))


def test_multiple_outputs_raise():
    inputs = keras.Input(shape=(4, 4, 3))
    outputs = [keras.layers.Flatten()(inputs), keras.layers.Flatten()(inputs)]
    with pytest.raises(ValueError, match="single tensor"):
        encoders.as_feature_encoder(keras.Model(inputs, outputs))


def test_multiple_inputs_raise():
    a, b = keras.Input(shape=(4, 4, 3)), keras.Input(shape=(4, 4, 3))
    model = keras.Model([a, b], keras.layers.Add()([a, b]))
    with pytest.raises(ValueError, match="single image input"):
        encoders.as_feature_encoder(model)


def test_bad_arguments_raise():
    with pytest.raises(TypeError, match="model"):
        encoders.as_feature_encoder(keras.layers.Dense(3))
    with pytest.raises(ValueError, match="token_pooling"):
        encoders.as_feature_encoder(token_model(), token_pooling="max")
    with pytest.raises(ValueError, match="image_shape"):
        encoders.check_image_shape(token_model(), (4, 4))
