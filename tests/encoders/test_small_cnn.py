import numpy as np
import pytest

import keras

from keras_ssl import encoders


def images(batch=4, shape=(32, 32, 3)):
    rng = np.random.default_rng(0)
    return rng.uniform(0, 255, size=(batch,) + shape).astype("float32")


def trainable_count(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_default_output_shape_and_size():
    model = encoders.SmallCNN()
    assert model.output_shape == (None, 256)
    # 3x3 kernels 3->32->64->128->256 plus BN gamma/beta.
    convs = 9 * (3 * 32 + 32 * 64 + 64 * 128 + 128 * 256)
    assert trainable_count(model) == convs + 2 * (32 + 64 + 128 + 256)


def test_default_feature_map_sizes():
    model = encoders.SmallCNN()
    sizes = [model.get_layer(f"stage{i}_relu").output.shape for i in (1, 2, 3, 4)]
    assert sizes == [
        (None, 16, 16, 32), (None, 8, 8, 64), (None, 4, 4, 128),
        (None, 4, 4, 256),
    ]


def test_default_strides_follow_the_number_of_stages():
    model = encoders.SmallCNN(image_shape=(16, 16, 3), widths=(4, 8, 16))
    strides = [model.get_layer(f"stage{i}_conv").strides for i in (1, 2, 3)]
    assert strides == [(2, 2), (2, 2), (1, 1)]
    assert model.output_shape == (None, 16)


def test_widths_strides_and_output_dim():
    model = encoders.SmallCNN(
        image_shape=(16, 16, 1), widths=(8, 16), strides=(1, 2), output_dim=12
    )
    features = model(images(shape=(16, 16, 1)), training=False)
    assert tuple(features.shape) == (4, 12)
    assert model.get_layer("stage1_conv").strides == (1, 1)
    assert model.get_layer("stage2_conv").strides == (2, 2)


def test_input_is_rescaled_from_0_255():
    rescale = encoders.SmallCNN().layers[1]
    assert isinstance(rescale, keras.layers.Rescaling)
    assert rescale.scale == pytest.approx(1 / 255)


def test_trains_one_step_with_a_toy_head():
    encoder = encoders.SmallCNN(image_shape=(16, 16, 3), widths=(8, 16))
    model = keras.Sequential([encoder, keras.layers.Dense(3)])
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    before = keras.ops.convert_to_numpy(
        encoder.get_layer("stage1_conv").kernel
    ).copy()
    x = images(batch=8, shape=(16, 16, 3))
    y = np.arange(8) % 3
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    after = keras.ops.convert_to_numpy(encoder.get_layer("stage1_conv").kernel)
    assert np.isfinite(history.history["loss"][0])
    assert not np.allclose(before, after)


def test_save_and_load_reproduces_outputs(tmp_path):
    model = encoders.SmallCNN(image_shape=(16, 16, 3), output_dim=8)
    path = str(tmp_path / "small_cnn.keras")
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    x = images(shape=(16, 16, 3))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(restored(x, training=False)),
        keras.ops.convert_to_numpy(model(x, training=False)),
        rtol=1e-5, atol=1e-5,
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"widths": ()}, "widths"),
        ({"widths": (8, -1)}, "widths"),
        ({"strides": (2, 2)}, "strides"),
        ({"strides": (2, 2, 0, 1)}, "strides"),
        ({"output_dim": 0}, "output_dim"),
        ({"image_shape": (32, 32, 3, 1)}, "image_shape"),
        ({"data_format": "NCHW"}, "data_format"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        encoders.SmallCNN(**kwargs)
