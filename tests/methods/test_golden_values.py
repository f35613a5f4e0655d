"""Golden losses: the same weights and views give the same loss on every backend."""

import numpy as np
import pytest

from keras_ssl import methods
from keras_ssl.testing import deterministic_weights
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder

HEADS = {"projection_hidden_dim": 16, "projection_dim": 8}
KWARGS = {
    "SimCLR": {"temperature": 0.5, **HEADS},
    "MoCoV2": {"queue_size": 16, **HEADS},
    "BYOL": HEADS,
    "SimSiam": {"projection_dim": 8, "prediction_hidden_dim": 4},
    "BarlowTwins": HEADS,
    # Unit weights keep the value near 1, where float32 rounding is ~1e-7.
    "VICReg": {"invariance_weight": 1.0, "variance_weight": 1.0, **HEADS},
    "MoCoV3": {"prediction_hidden_dim": 16, **HEADS},
    "NNCLR": {"queue_size": 16, "prediction_hidden_dim": 16, **HEADS},
    "DCL": {"temperature": 0.5, **HEADS},
    "DCLW": {"temperature": 0.5, **HEADS},
    "DINO": {
        "image_size": 8,
        "num_local_crops": 0,
        "head_hidden_dim": 16,
        "head_bottleneck_dim": 8,
        "head_output_dim": 32,
    },
    "SwAV": {"image_size": 8, "num_local_crops": 0, "num_prototypes": 12, **HEADS},
    # No mask: random draws differ between backends for one seed.
    "MSN": {
        "image_size": 8,
        "num_focal_crops": 0,
        "num_prototypes": 12,
        "mask_ratio": 0.0,
        **HEADS,
    },
}
# Measured on JAX, then checked on TensorFlow and PyTorch (float32, CPU).
GOLDEN = {
    "SimCLR": 2.8354249,
    "MoCoV2": 1.4754823,
    "BYOL": 3.6677310,
    "SimSiam": 0.0339193,
    "BarlowTwins": 9.8819151,
    "VICReg": 1.4577458,
    "MoCoV3": 7.2647243,
    "NNCLR": 3.7413547,
    "DCL": 2.7613218,
    "DCLW": 3.1618624,
    "DINO": 7.3932161,
    "SwAV": 4.8198180,
    "MSN": 5.6050439,
}


def golden_loss(name):
    model = getattr(methods, name)(
        tiny_encoder(), augmenter=tiny_augmenter(), **KWARGS[name]
    )
    deterministic_weights(model, seed=0)
    rng = np.random.default_rng(1)
    views = [rng.uniform(0, 255, (6, 8, 8, 3)).astype("float32") for _ in range(2)]
    loss, _ = model.compute_ssl_loss(views, training=True)
    return float(loss)


@pytest.mark.parametrize("name", sorted(KWARGS))
def test_golden_loss_is_backend_independent(name):
    np.testing.assert_allclose(golden_loss(name), GOLDEN[name], rtol=0, atol=1e-5)
