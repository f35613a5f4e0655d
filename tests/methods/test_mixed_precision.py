"""Mixed precision trains without NaN; losses stay float32; loss scaling used."""

import numpy as np
import keras
import pytest

from keras_ssl import methods
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder

POLICIES = ["mixed_bfloat16", "mixed_float16"]
HEADS = {"projection_hidden_dim": 16, "projection_dim": 8}
KWARGS = {
    "SimCLR": HEADS,
    "BYOL": HEADS,
    # Prototype scores, Sinkhorn and the sharpened targets run in float32.
    "SwAV": {"image_size": 8, "num_local_crops": 0, "num_prototypes": 12, **HEADS},
    "MSN": {
        "image_size": 8,
        "num_focal_crops": 0,
        "num_prototypes": 12,
        "mask_patch_size": 2,
        **HEADS,
    },
}


@pytest.fixture
def policy(request):
    keras.config.set_dtype_policy(request.param)
    yield request.param
    keras.config.set_dtype_policy("float32")


@pytest.mark.parametrize("policy", POLICIES, indirect=True)
@pytest.mark.parametrize("name", sorted(KWARGS))
def test_mixed_precision_fit_is_finite(policy, name):
    if policy == "mixed_float16" and keras.config.backend() == "torch":
        pytest.skip("PyTorch has no float16 convolutions on CPU.")
    model = getattr(methods, name)(
        tiny_encoder(), augmenter=tiny_augmenter(), **KWARGS[name]
    )
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    if policy == "mixed_float16":
        assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    x = np.random.default_rng(0).uniform(0, 255, (16, 8, 8, 3)).astype("float32")
    history = model.fit(x, batch_size=8, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert all(w.dtype == "float32" for w in model.encoder.trainable_weights)
    views = [x[:8], x[8:]]
    loss, outputs = model.compute_ssl_loss(views, training=False)
    assert keras.backend.standardize_dtype(loss.dtype) == "float32"
    assert keras.backend.standardize_dtype(outputs["embeddings"].dtype) == policy.split("_")[1]


@pytest.mark.parametrize("policy", ["mixed_bfloat16"], indirect=True)
@pytest.mark.parametrize("name", ["SwAV", "MSN"])
def test_prototype_scores_stay_float32(policy, name):
    model = getattr(methods, name)(
        tiny_encoder(), augmenter=tiny_augmenter(), **KWARGS[name]
    )
    assert model.projection_head.compute_dtype == "bfloat16"
    assert model.prototypes.compute_dtype == "float32"
    z = keras.ops.ones((4, 8), dtype="bfloat16")
    assert keras.backend.standardize_dtype(model.prototypes(z).dtype) == "float32"
