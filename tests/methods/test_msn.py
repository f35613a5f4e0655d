"""MSN: focal views, masking of the anchor only, prototypes, loss, errors."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_ssl import encoders
from keras_ssl import methods
from keras_ssl.testing import deterministic_weights
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder
from tests.losses import numpy_references as ref

SMALL = {"projection_hidden_dim": 16, "projection_dim": 8, "num_prototypes": 12}


def images(n=24, size=8, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (n, size, size, 3)).astype("float32")


def numpy_of(x):
    return np.asarray(ops.convert_to_numpy(x), dtype=np.float64)


def make_msn(encoder=None, **overrides):
    """Two same-size views from a cheap augmenter unless overridden."""
    kwargs = {
        "image_size": 8,
        "num_focal_crops": 0,
        "augmenter": tiny_augmenter(),
        "mask_patch_size": 2,
        "base_momentum": 0.9,
        **SMALL,
    }
    model = methods.MSN(encoder or tiny_encoder(), **{**kwargs, **overrides})
    model.compile(optimizer=keras.optimizers.AdamW(1e-2))
    return model


def test_fit_on_focal_views_logs_terms_and_trains_prototypes():
    encoder = encoders.SmallCNN(image_shape=(None, None, 3), widths=(4, 8), strides=(2, 2))
    model = make_msn(encoder)
    views = [images(16, seed=i) for i in range(2)] + [
        images(16, size=4, seed=2 + i) for i in range(3)
    ]
    prototypes = numpy_of(model.prototypes.vectors)
    history = model.fit((views,), batch_size=8, epochs=1, verbose=0)
    for name in ("loss", "prediction", "me_max"):
        assert np.all(np.isfinite(history.history[name]))
    assert history.history["me_max"][0] >= 0
    # Prototypes learn (no freezing in MSN) and are not EMA targets.
    assert np.abs(numpy_of(model.prototypes.vectors) - prototypes).max() > 1e-3
    targets = {id(t) for _, t in model.momentum_variable_pairs}
    assert id(model.prototypes.vectors) not in targets


def _scores(model, views, encoder, head):
    z = [numpy_of(head(encoder(v))) for v in views]
    p = numpy_of(model.prototypes.vectors)
    p = p / np.linalg.norm(p, axis=0, keepdims=True)
    return [(zi / np.linalg.norm(zi, axis=1, keepdims=True)) @ p for zi in z]


@pytest.mark.parametrize("mask_ratio", [0.0, 0.99])
def test_loss_matches_reference_with_the_anchor_masked(mask_ratio):
    # 0.99 of 16 patches hides all of them: a deterministic, all-grey anchor.
    model = make_msn(mask_ratio=mask_ratio, mask_fill_value=100.0)
    deterministic_weights(model, seed=5)
    views = [images(6, seed=1), images(6, seed=2)]
    loss, outputs = model.compute_ssl_loss(views, training=False)
    anchor = views[1] if mask_ratio == 0.0 else np.full_like(views[1], 100.0)
    (anchor_scores,) = _scores(model, [anchor], model.encoder, model.projection_head)
    (target_scores,) = _scores(
        model, [views[0]], model.target_encoder, model.target_projection_head
    )
    expected, prediction, me_max = ref.msn_reference(
        [anchor_scores], target_scores, 0.1, 0.25, 1.0, 3
    )
    np.testing.assert_allclose(float(numpy_of(loss)), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(float(numpy_of(outputs["me_max"])), me_max, atol=1e-5)


def test_patch_mask_hides_the_paper_count_per_image():
    model = make_msn(mask_ratio=0.3, mask_seed=0)
    x = images(5)
    masked = numpy_of(model.patch_mask(x))
    hidden = np.all(masked == 127.5, axis=-1)  # (b, 8, 8)
    patches = hidden.reshape(5, 4, 2, 4, 2).all(axis=(2, 4))
    # 16 patches, keep floor(16 * 0.7) = 11: 5 hidden in every image.
    assert list(patches.sum(axis=(1, 2))) == [5] * 5
    np.testing.assert_array_equal(masked[~hidden], x[~hidden])
    assert len({p.tobytes() for p in patches}) > 1


def test_bad_inputs():
    with pytest.raises(ValueError, match="image_shape=\\(None, None, channels\\)"):
        methods.MSN(tiny_encoder(), image_size=8, num_focal_crops=2, **SMALL)
    with pytest.raises(ValueError, match="mask_ratio"):
        make_msn(mask_ratio=1.0)
    with pytest.raises(ValueError, match="mask_patch_size"):
        make_msn(mask_patch_size=0)
    for name in ("anchor_temperature", "target_temperature"):
        with pytest.raises(ValueError, match=name):
            make_msn(**{name: 0.0})
    with pytest.raises(ValueError, match="me_max_weight"):
        make_msn(me_max_weight=-1.0)
    with pytest.raises(ValueError, match="num_prototypes"):
        make_msn(num_prototypes=0)
    with pytest.raises(ValueError, match="target view, an anchor view"):
        make_msn().compute_ssl_loss([images(4)], training=True)
