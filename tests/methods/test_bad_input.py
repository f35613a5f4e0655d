"""Every documented bad input raises a ValueError/TypeError that names it."""

import numpy as np
import keras
import pytest

from keras_ssl import methods
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder

HEADS = {"projection_hidden_dim": 16, "projection_dim": 8}


def simclr(**kwargs):
    model = methods.SimCLR(tiny_encoder(), augmenter=tiny_augmenter(), **HEADS, **kwargs)
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    return model


def views(n=4, size=8, channels=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 255, (n, size, size, channels)).astype("float32")


@pytest.mark.parametrize("temperature", [0.0, -0.1, float("nan")])
def test_bad_temperature(temperature):
    with pytest.raises(ValueError, match="temperature"):
        methods.SimCLR(tiny_encoder(), temperature=temperature)
    with pytest.raises(ValueError, match="temperature"):
        methods.MoCoV2(tiny_encoder(), temperature=temperature, queue_size=8)


def test_bad_constructor_arguments():
    with pytest.raises(TypeError, match="encoder"):
        methods.SimCLR("resnet18")
    with pytest.raises(ValueError, match="momentum_schedule"):
        methods.BYOL(tiny_encoder(), momentum_schedule="linear", **HEADS)
    with pytest.raises(ValueError, match="base_momentum"):
        methods.BYOL(tiny_encoder(), base_momentum=1.5, **HEADS)
    with pytest.raises(ValueError, match="queue_size"):
        methods.MoCoV2(tiny_encoder(), queue_size=0, **HEADS)
    with pytest.raises(ValueError, match="num_classes"):
        methods.SimCLR(tiny_encoder(), num_classes=0, **HEADS)


def test_views_with_different_batch_sizes_or_shapes():
    model = simclr()
    with pytest.raises(ValueError, match="same shape"):
        model.ssl_forward(((views(4), views(3)),), training=True)
    with pytest.raises(ValueError, match=r"views\[1\]"):
        model.ssl_forward(((views(4), views(4, size=6)),), training=True)
    with pytest.raises(ValueError, match="takes 2 views"):
        model.ssl_forward(((views(4), views(4), views(4)),), training=True)


def test_wrong_channel_count_for_encoder():
    model = simclr()
    with pytest.raises(ValueError, match="channels=3"):
        model.fit(views(8, channels=1), batch_size=4, verbose=0)


def test_batch_of_one_with_batch_norm_is_refused_in_the_step():
    model = simclr()
    with pytest.raises(ValueError, match="batch of 1"):
        model.ssl_forward(views(1), training=True)


def test_last_batch_of_one_is_refused_before_training():
    model = simclr()
    before = [np.array(w) for w in model.get_weights()]
    with pytest.raises(ValueError, match="last batch of 1"):
        model.fit(views(9), batch_size=4, verbose=0)
    for b, a in zip(before, model.get_weights()):
        np.testing.assert_array_equal(b, a)


def test_batch_larger_than_the_queue():
    model = methods.MoCoV2(
        tiny_encoder(), augmenter=tiny_augmenter(), queue_size=4, **HEADS
    )
    with pytest.raises(ValueError, match="does not fit a queue of size 4"):
        model.ssl_forward(views(6), training=True)


def test_labels_without_probe():
    model = simclr()
    with pytest.raises(ValueError, match="num_classes"):
        model.ssl_forward((views(4), np.arange(4)), training=True)


def test_cosine_schedule_needs_known_length():
    model = methods.BYOL(tiny_encoder(), augmenter=tiny_augmenter(), **HEADS)
    model.compile(optimizer="adam")

    def batches():
        while True:
            yield views(4)

    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit(batches(), epochs=1, verbose=0)


def test_labels_reach_the_probe_in_every_batch_form():
    from keras_ssl.methods.ssl_batch import unpack_ssl_batch

    x, y = views(4), np.arange(4)
    for batch in [(x, y), ((x, y),), {"images": x, "labels": y}]:
        images, found_views, labels = unpack_ssl_batch(batch)
        assert images is x and found_views is None and labels is y
    for batch in [((x, x),), (x, x), ((x, x), y), {"views": (x, x)}]:
        images, found_views, labels = unpack_ssl_batch(batch)
        assert images is None and len(found_views) == 2


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_bad_loss_weights_of_redundancy_methods(bad):
    with pytest.raises(ValueError, match="lambda_"):
        methods.BarlowTwins(tiny_encoder(), lambda_=bad, **HEADS)
    for name in ("invariance_weight", "variance_weight", "covariance_weight"):
        with pytest.raises(ValueError, match=name):
            methods.VICReg(tiny_encoder(), **{name: bad}, **HEADS)
    with pytest.raises(ValueError, match="prediction_hidden_dim"):
        methods.SimSiam(tiny_encoder(), prediction_hidden_dim=0)
