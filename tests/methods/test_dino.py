"""DINO: multi-crop views of two sizes, centre and teacher temperature, errors."""

import numpy as np
import keras
import pytest

from keras_ssl import augmentations
from keras_ssl import encoders
from keras_ssl import methods
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder

HEAD = {"head_hidden_dim": 16, "head_bottleneck_dim": 8, "head_output_dim": 32}


def any_size_encoder():
    return encoders.SmallCNN(image_shape=(None, None, 3), widths=(4, 8), strides=(2, 2))


def images(n=16, size=8, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (n, size, size, 3)).astype("float32")


def make_dino(**overrides):
    kwargs = {"image_size": 8, "num_local_crops": 2, "local_crop_size": 4, **HEAD}
    model = methods.DINO(any_size_encoder(), **{**kwargs, **overrides})
    model.compile(optimizer=keras.optimizers.AdamW(1e-2))
    return model


def test_multi_crop_views_have_two_sizes():
    views = augmentations.dino_augmentation(8, local_crop_size=4, num_local_crops=3, seed=0)(
        images(4)
    )
    assert [tuple(v.shape) for v in views] == [(4, 8, 8, 3)] * 2 + [(4, 4, 4, 3)] * 3


def test_fit_on_multi_crop_updates_centre_by_ema_of_teacher_mean():
    model = make_dino(teacher_temperature_warmup_epochs=0)
    x = images(8)
    views = list(model.augmenter(x))
    teacher = model.target_projection_head(
        model.target_encoder(keras.ops.concatenate(views[:2], axis=0), training=True),
        training=True,
    )
    expected = 0.1 * keras.ops.convert_to_numpy(keras.ops.mean(teacher, axis=0))
    history = model.fit((views,), batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model.center)[0], expected, rtol=1e-4, atol=1e-6
    )


def test_teacher_temperature_warms_up_linearly_over_epochs():
    model = make_dino(
        warmup_teacher_temperature=0.04, teacher_temperature=0.07,
        teacher_temperature_warmup_epochs=1,
    )
    history = model.fit(images(24), batch_size=8, epochs=2, verbose=0)
    # Epoch 1: steps 0, 1, 2 of a 3-step warm-up (0.04, 0.05, 0.06); then 0.07.
    np.testing.assert_allclose(history.history["teacher_temperature"], [0.05, 0.07], atol=1e-6)
    assert float(model.train_steps_done) == 6.0
    assert float(model.steps_per_epoch) == 3.0


def test_student_learns_teacher_gets_no_gradient():
    model = make_dino()
    trainable = {id(v) for v in model.trainable_variables}
    for _, target in model.momentum_variable_pairs:
        assert id(target) not in trainable
    assert id(model.center) not in trainable
    before = [np.array(w) for w in model.encoder.get_weights()]
    model.fit(images(16), batch_size=8, epochs=1, verbose=0)
    after = model.encoder.get_weights()
    assert any(not np.array_equal(b, a) for b, a in zip(before, after))


def test_keras_file_round_trip_keeps_centre(tmp_path):
    model = make_dino()
    model.fit(images(16), batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "dino.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(loaded.center), keras.ops.convert_to_numpy(model.center)
    )
    x = images(4, seed=3)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_bad_inputs():
    with pytest.raises(ValueError, match="image_shape=\\(None, None, channels\\)"):
        methods.DINO(tiny_encoder(), image_size=8, **HEAD)
    with pytest.raises(ValueError, match="center_momentum"):
        make_dino(center_momentum=1.5)
    with pytest.raises(ValueError, match="teacher_temperature_warmup_epochs"):
        make_dino(teacher_temperature_warmup_epochs=-1)
    model = make_dino()
    with pytest.raises(ValueError, match="same batch size"):
        model.ssl_forward(((images(4), images(4), images(3, size=4)),), training=True)


def _unit_columns(variable):
    x = keras.ops.convert_to_numpy(variable).astype("float64")
    return x / np.linalg.norm(x, axis=0, keepdims=True)


@pytest.mark.parametrize("freeze_epochs", [1, 0])
def test_last_layer_frozen_during_the_first_epoch(freeze_epochs):
    model = methods.DINO(
        tiny_encoder(),
        augmenter=tiny_augmenter(),
        image_size=8,
        num_local_crops=0,
        teacher_temperature_warmup_epochs=0,
        freeze_last_layer_epochs=freeze_epochs,
        **HEAD,
    )
    model.compile(optimizer=keras.optimizers.AdamW(1e-2))
    head = model.projection_head
    before = _unit_columns(head.prototypes)
    mlp_before = keras.ops.convert_to_numpy(head.mlp[0].kernel)
    model.fit(images(24), batch_size=8, epochs=1, verbose=0)
    after_one = _unit_columns(head.prototypes)
    assert not np.allclose(keras.ops.convert_to_numpy(head.mlp[0].kernel), mlp_before)
    if freeze_epochs:
        # AdamW's decay scales the matrix; its unit columns do not move.
        np.testing.assert_allclose(after_one, before, atol=1e-6)
    else:
        assert np.abs(after_one - before).max() > 1e-3
    model.fit(images(24), batch_size=8, epochs=1, verbose=0)
    assert np.abs(_unit_columns(head.prototypes) - after_one).max() > 1e-3


def test_head_batch_norm_and_learnable_gain_options():
    model = make_dino(head_batch_norm=True, head_norm_last_layer=False)
    head = model.projection_head
    assert [type(layer).__name__ for layer in head.mlp].count("SyncBatchNormalization") == 2
    features = keras.random.normal((4, model.feature_dim), seed=0)
    cosines = keras.ops.convert_to_numpy(head(features))
    assert np.abs(cosines).max() <= 1.0 + 1e-6
    # The gain scales each column's logit: doubled gains, doubled logits.
    head.gain.assign(np.full(tuple(head.gain.shape), 2.0, "float32"))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(head(features)), 2 * cosines, rtol=1e-5)
    config = model.get_config()
    assert config["head_batch_norm"] is True and config["head_norm_last_layer"] is False
    default_head = make_dino().projection_head
    assert default_head.gain is None and not default_head.use_batch_norm


def test_learnable_gain_frozen_with_the_last_layer():
    model = make_dino(head_norm_last_layer=False, freeze_last_layer_epochs=1)
    gain = model.projection_head.gain
    model.fit(images(16), batch_size=8, epochs=1, verbose=0)
    # AdamW's weight decay alone moves a frozen gain by a factor 1 - lr * wd.
    np.testing.assert_allclose(keras.ops.convert_to_numpy(gain), 1.0, atol=1e-3)
    model.fit(images(16), batch_size=8, epochs=1, verbose=0)
    assert np.abs(keras.ops.convert_to_numpy(gain) - 1.0).max() > 5e-3
