"""Tiny models and batches for the multi-replica exactness checks.

Backend-neutral: imported by the child processes (`replica_run.py`), which
train each case for one step on one device and on several replicas. A new
method is checked by adding it to `CASES`.
"""

import numpy as np
import keras

from keras_ssl import methods
from keras_ssl.testing import deterministic_weights
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder

GLOBAL_BATCH = 8
NUM_CLASSES = 3
HEADS = {"projection_hidden_dim": 16, "projection_dim": 8}
# name: (class name, constructor args, encoder input shape, image size).
# Images of size "image size" are the pre-made views (one per view).
RGB = (8, 8, 3)
CASES = {
    "SimCLR": ("SimCLR", {"temperature": 0.5, **HEADS}, RGB, 8),
    "MoCoV2": ("MoCoV2", {"queue_size": 24, "base_momentum": 0.9, **HEADS}, RGB, 8),
    "BYOL": ("BYOL", {"base_momentum": 0.9, **HEADS}, RGB, 8),
    "BarlowTwins": ("BarlowTwins", HEADS, RGB, 8),
    "SimSiam": ("SimSiam", {"projection_dim": 8, "prediction_hidden_dim": 16}, RGB, 8),
    "VICReg": ("VICReg", HEADS, RGB, 8),
    "MoCoV3": (
        "MoCoV3",
        {"base_momentum": 0.9, "prediction_hidden_dim": 16, **HEADS},
        RGB,
        8,
    ),
    "NNCLR": (
        "NNCLR",
        {"queue_size": 24, "prediction_hidden_dim": 16, **HEADS},
        RGB,
        8,
    ),
    "DCL": ("DCL", {"temperature": 0.5, **HEADS}, RGB, 8),
    "DCLW": ("DCLW", {"temperature": 0.5, **HEADS}, RGB, 8),
    "DINO": (
        "DINO",
        {
            "image_size": 8,
            "num_local_crops": 0,
            "head_hidden_dim": 16,
            "head_bottleneck_dim": 8,
            "head_output_dim": 32,
            "base_momentum": 0.9,
        },
        RGB,
        8,
    ),
    # Sinkhorn-Knopp normalises over the global batch.
    "SwAV": (
        "SwAV",
        {"image_size": 8, "num_local_crops": 0, "num_prototypes": 12, **HEADS},
        RGB,
        8,
    ),
    # No mask: each replica would draw its own masks.
    "MSN": (
        "MSN",
        {
            "image_size": 8,
            "num_focal_crops": 0,
            "num_prototypes": 12,
            "mask_ratio": 0.0,
            "base_momentum": 0.9,
            **HEADS,
        },
        RGB,
        8,
    ),
    "RotationPrediction": ("RotationPrediction", {}, RGB, 8),
    "Jigsaw": (
        "Jigsaw",
        {"num_permutations": 10, "hidden_dim": 16, "seed": 3},
        (3, 3, 3),
        12,
    ),
    "RelativePatchLocation": (
        "RelativePatchLocation",
        {"hidden_dim": 16, "seed": 3},
        (3, 3, 3),
        15,
    ),
    "Colorization": ("Colorization", {"output_size": 2}, (8, 8, 1), 8),
}
# Trained a second step from checkpoints (EMA targets, queue, SyncBN).
CHECKPOINT_CASE = "MoCoV2"
# Views made on device by the augmenter (random flips): exact only where
# the random draws are global (JAX); per-replica draws differ elsewhere.
AUGMENTED = "SimCLR+augmenter"


def make_model(name):
    """The case's model: synchronized BatchNorm, fixed weights, SGD."""
    keras.utils.set_random_seed(0)
    class_name, kwargs, shape, _ = CASES["SimCLR" if name == AUGMENTED else name]
    model = getattr(methods, class_name)(
        tiny_encoder(shape),
        augmenter=tiny_augmenter(seed=1),
        num_classes=NUM_CLASSES,
        sync_batch_norm=True,
        **kwargs,
    )
    deterministic_weights(model, seed=0)
    # Plain SGD with momentum: the update is linear in the gradient, so a
    # gradient off by a factor (Adam would normalise it away) shows.
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9))
    return model


def batch(name, step=0):
    """One global batch: {"views" or "images", "labels"} of numpy arrays."""
    class_name, _, _, size = CASES["SimCLR" if name == AUGMENTED else name]
    rng = np.random.default_rng(100 + step)
    views = 1 if class_name in _ONE_VIEW else 2
    images = [
        rng.uniform(0, 255, (GLOBAL_BATCH, size, size, 3)).astype("float32")
        for _ in range(views)
    ]
    labels = rng.integers(0, NUM_CLASSES, (GLOBAL_BATCH,)).astype("int32")
    if name == AUGMENTED:
        return {"images": images[0], "labels": labels}
    return {"views": images, "labels": labels}


_ONE_VIEW = ("RotationPrediction", "Jigsaw", "RelativePatchLocation", "Colorization")


def state_of(model):
    """Every model and optimizer variable as float64 numpy, in order."""
    variables = list(model.variables) + list(model.optimizer.variables)
    return [
        np.asarray(keras.ops.convert_to_numpy(v), dtype="float64")
        for v in variables
    ]


def save_state(path, loss, arrays):
    named = {f"v{i:04d}": a for i, a in enumerate(arrays)}
    np.savez(path, loss=np.float64(loss), **named)


def load_state(path):
    data = np.load(path)
    arrays = [data[k] for k in sorted(data.files) if k != "loss"]
    return float(data["loss"]), arrays
