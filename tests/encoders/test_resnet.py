import numpy as np
import pytest

import keras

from keras_ssl import encoders

# Trainable parameters (conv kernels, BN gamma/beta) of the reference
# PyTorch ResNets without their classifier; the CIFAR stem swaps the 7x7x3x64
# conv (9,408) for a 3x3x3x64 one (1,728).
RESNET18_IMAGENET = 11_176_512
RESNET34_IMAGENET = 21_284_672
RESNET50_IMAGENET = 23_508_032
STEM_DIFFERENCE = 9_408 - 1_728


def trainable_count(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def images(batch=2, shape=(32, 32, 3)):
    rng = np.random.default_rng(0)
    return rng.uniform(0, 255, size=(batch,) + shape).astype("float32")


@pytest.mark.parametrize(
    "builder, stem, expected, dim",
    [
        (encoders.ResNet18, "cifar", RESNET18_IMAGENET - STEM_DIFFERENCE, 512),
        (encoders.ResNet18, "imagenet", RESNET18_IMAGENET, 512),
        (encoders.ResNet34, "imagenet", RESNET34_IMAGENET, 512),
        (encoders.ResNet50, "imagenet", RESNET50_IMAGENET, 2048),
    ],
)
def test_parameter_counts_match_reference(builder, stem, expected, dim):
    model = builder(image_shape=(32, 32, 3), stem=stem)
    assert trainable_count(model) == expected
    assert model.output_shape == (None, dim)


def test_resnet50_output_shape_on_a_small_batch():
    model = encoders.ResNet50(image_shape=(32, 32, 3), stem="imagenet")
    assert tuple(model(images(batch=1), training=False).shape) == (1, 2048)


@pytest.mark.parametrize("stem", ["cifar", "imagenet"])
def test_resnet18_output_shape_on_a_batch(stem):
    model = encoders.ResNet18(image_shape=(32, 32, 3), stem=stem)
    features = keras.ops.convert_to_numpy(model(images(), training=False))
    assert features.shape == (2, 512)
    assert np.all(np.isfinite(features))


@pytest.mark.parametrize(
    "stem, map_shape", [("cifar", (4, 4, 512)), ("imagenet", (1, 1, 512))]
)
def test_feature_map_without_pooling(stem, map_shape):
    model = encoders.ResNet18(
        image_shape=(32, 32, 3), stem=stem, include_pooling=False
    )
    assert model.output_shape == (None,) + map_shape


def test_stems_differ_as_documented():
    cifar = encoders.ResNet18(stem="cifar")
    imagenet = encoders.ResNet18(stem="imagenet")
    assert cifar.get_layer("stem_conv").kernel_size == (3, 3)
    assert cifar.get_layer("stem_conv").strides == (1, 1)
    assert not any(
        isinstance(layer, keras.layers.MaxPooling2D) for layer in cifar.layers
    )
    assert imagenet.get_layer("stem_conv").kernel_size == (7, 7)
    assert imagenet.get_layer("stem_conv").strides == (2, 2)
    assert imagenet.get_layer("stem_pool").pool_size == (3, 3)


def test_input_is_rescaled_from_0_255():
    model = encoders.ResNet18()
    rescale = model.layers[1]
    assert isinstance(rescale, keras.layers.Rescaling)
    assert rescale.scale == pytest.approx(1 / 255)


@pytest.mark.parametrize("zero_init", [False, True])
def test_zero_init_residual(zero_init):
    model = encoders.ResNet18(zero_init_residual=zero_init)
    last_bns = [
        layer for layer in model.layers
        if layer.name.startswith("stage") and layer.name.endswith("_2_bn")
    ]
    assert len(last_bns) == 8
    for bn in last_bns:
        gamma = keras.ops.convert_to_numpy(bn.gamma)
        np.testing.assert_array_equal(gamma, 0.0 if zero_init else 1.0)


def test_save_and_load_reproduces_outputs(tmp_path):
    model = encoders.ResNet18(image_shape=(16, 16, 3), stem="cifar")
    path = str(tmp_path / "resnet18.keras")
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    x = images(shape=(16, 16, 3))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(restored(x, training=False)),
        keras.ops.convert_to_numpy(model(x, training=False)),
        rtol=1e-5, atol=1e-5,
    )


@pytest.mark.skipif(
    keras.backend.backend() == "tensorflow",
    reason="TensorFlow's CPU kernels do not run NCHW convolutions.",
)
def test_channels_first():
    model = encoders.ResNet18(
        image_shape=(3, 16, 16), data_format="channels_first"
    )
    features = model(images(shape=(3, 16, 16)), training=False)
    assert tuple(features.shape) == (2, 512)


def test_channels_first_builds_on_every_backend():
    model = encoders.ResNet18(
        image_shape=(3, 32, 32), data_format="channels_first",
        include_pooling=False,
    )
    assert model.output_shape == (None, 512, 4, 4)
    assert trainable_count(model) == RESNET18_IMAGENET - STEM_DIFFERENCE


def test_unknown_spatial_size_is_accepted():
    model = encoders.ResNet18(image_shape=(None, None, 3))
    assert model.output_shape == (None, 512)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"stem": "tiny"}, "stem"),
        ({"image_shape": (32, 32)}, "image_shape"),
        ({"image_shape": (32, 0, 3)}, "image_shape"),
        ({"data_format": "nhwc"}, "data_format"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        encoders.ResNet18(**kwargs)
