"""End-to-end jobs: pretrain a method on a data set, evaluate an encoder.

Used by the `keras-ssl` command and the benchmarks. Each job returns a dict of
results and writes what it produced to its output folder.
"""

import json
import os
import time

import keras

from keras_ssl import augmentations
from keras_ssl import datasets
from keras_ssl import encoders
from keras_ssl import evaluation
from keras_ssl import methods

ENCODERS = {
    "small_cnn": encoders.SmallCNN,
    "resnet18": encoders.ResNet18,
    "resnet34": encoders.ResNet34,
    "resnet50": encoders.ResNet50,
}

# Small-data, small-CPU variants of the paper settings: heads narrower than
# the ImageNet ones, CIFAR-scale temperatures, and momenta for runs of a few
# thousand steps (0.999 barely moves a target in that time).
SMALL_DATA_SETTINGS = {
    # SimCLR's kNN on `shapes` after 10 epochs: 62.7% at temperature 0.1,
    # below 50% at 0.5 (its CIFAR-10 setting).
    "simclr": {"temperature": 0.1, "projection_hidden_dim": 512},
    # A queue of 4 batches (5000 images: 4096 keys are mostly stale) at
    # temperature 0.1: kNN 32.5% after 10 epochs, 82.6% after 80.
    "moco_v2": {
        "temperature": 0.1,
        "queue_size": 1024,
        "projection_hidden_dim": 512,
        "base_momentum": 0.99,
    },
    "byol": {
        "projection_hidden_dim": 1024,
        "projection_dim": 128,
        "base_momentum": 0.99,
    },
    "simsiam": {"projection_dim": 512, "prediction_hidden_dim": 128},
    "barlow_twins": {"projection_hidden_dim": 1024, "projection_dim": 1024},
    "vicreg": {"projection_hidden_dim": 1024, "projection_dim": 1024},
    "moco_v3": {
        "temperature": 0.2,
        "projection_hidden_dim": 1024,
        "prediction_hidden_dim": 1024,
        "projection_dim": 128,
        "base_momentum": 0.99,
    },
    "nnclr": {
        "temperature": 0.2,
        "queue_size": 4096,
        "projection_hidden_dim": 1024,
        "prediction_hidden_dim": 1024,
        "projection_dim": 128,
    },
    "dcl": {"temperature": 0.5, "projection_hidden_dim": 512},
    "dclw": {"temperature": 0.5, "sigma": 0.5, "projection_hidden_dim": 512},
    # BatchNorm in the head (lightly's CIFAR setting for CNNs) and a teacher
    # temperature of 0.025 from the start: at the paper's 0.04 -> 0.07 the
    # teacher stays near uniform here (loss about log K) and kNN falls below
    # a random encoder's; after 15 epochs 16.3% -> 24.0% (BatchNorm) -> 32.3%.
    "dino": {
        "head_hidden_dim": 512,
        "head_bottleneck_dim": 128,
        "head_output_dim": 1024,
        "head_batch_norm": True,
        "teacher_temperature": 0.025,
        "warmup_teacher_temperature": 0.025,
        "teacher_temperature_warmup_epochs": 0,
        "base_momentum": 0.99,
    },
    # Few prototypes for 10 classes; a queue of 2 batches of 256, from
    # epoch 5 (the paper: 3840 from epoch 15 at batch 256).
    "swav": {
        "projection_hidden_dim": 512,
        "projection_dim": 128,
        "num_prototypes": 100,
        "queue_size": 512,
        "queue_start_epoch": 5,
    },
    # 4-pixel mask patches: an 8 x 8 grid on 32 x 32 images.
    "msn": {
        "projection_hidden_dim": 512,
        "projection_dim": 128,
        "num_prototypes": 128,
        "mask_patch_size": 4,
        "base_momentum": 0.99,
    },
}

# Epochs of `pretrain` per method when none are given: what fits in about
# 10 minutes on 2 CPU cores with the SmallCNN at batch 256 on TensorFlow,
# the fastest backend there (multi-crop methods encode 6 crops per image and
# take about 4.5 s an epoch on TensorFlow, 13 s on JAX).
SMALL_DATA_EPOCHS = {
    "simclr": 50,
    "moco_v2": 80,
    # BYOL starts slowly on this set: kNN 23.1% after 60 epochs, 41.5%
    # after 120, 46.2% after 150 (388 s on TensorFlow).
    "byol": 150,
    "simsiam": 100,
    "barlow_twins": 50,
    "vicreg": 50,
    "moco_v3": 50,
    "nnclr": 50,
    "dcl": 50,
    "dclw": 50,
    "dino": 75,
    "swav": 90,
    "msn": 70,
}

# The embedded data set's objects cover a small part of the image: crops of
# 8% of the area (the ImageNet setting) often miss the object entirely.
SMALL_DATA_CROP_SCALE = (0.25, 1.0)


def _small_data_simclr_augmentation(image_size, channels, crop_scale):
    # Colour jitter strength 0.5, the SimCLR paper's CIFAR-10 setting
    # (1.0 is its ImageNet one): on the embedded set, 10 epochs reached kNN
    # 47.3% with 0.5 against 38.4% with 1.0 (he_normal SmallCNN kernels).
    return augmentations.simclr_augmentation(
        image_size, crop_scale=crop_scale, jitter_strength=0.5, channels=channels
    )


def _with_four_small_crops(factory, count_arg, scale_arg):
    # 4 local (focal) crops instead of the papers' 6 to 10 keep a CPU step
    # affordable; the data set's crop scale applies to the large crops.
    def build(image_size, channels, crop_scale):
        return factory(
            image_size, channels=channels, **{count_arg: 4, scale_arg: crop_scale}
        )

    return build


AUGMENTATIONS = {
    "simclr": _small_data_simclr_augmentation,
    "moco_v2": augmentations.moco_v2_augmentation,
    "byol": augmentations.byol_augmentation,
    "simsiam": augmentations.moco_v2_augmentation,
    "barlow_twins": augmentations.byol_augmentation,
    "vicreg": augmentations.byol_augmentation,
    "moco_v3": augmentations.byol_augmentation,
    "nnclr": augmentations.byol_augmentation,
    "dcl": _small_data_simclr_augmentation,
    "dclw": _small_data_simclr_augmentation,
    "dino": _with_four_small_crops(
        augmentations.dino_augmentation, "num_local_crops", "global_crop_scale"
    ),
    "swav": _with_four_small_crops(
        augmentations.swav_augmentation, "num_local_crops", "global_crop_scale"
    ),
    "msn": _with_four_small_crops(
        augmentations.msn_augmentation, "num_focal_crops", "random_crop_scale"
    ),
}

ENCODER_FILE = "encoder.keras"
MODEL_FILE = "model.keras"
RESULTS_FILE = "results.json"


def build_method(
    method,
    image_shape,
    encoder="small_cnn",
    num_classes=None,
    crop_scale=SMALL_DATA_CROP_SCALE,
    sync_batch_norm=False,
):
    """Builds method `method` with the small-data settings on a new encoder.

    `sync_batch_norm=True` synchronizes the encoder's BatchNorm over the
    replicas of a distributed run (see docs/distributed.md).
    """
    if encoder not in ENCODERS:
        raise ValueError(
            f"Unknown encoder {encoder!r}. Expected one of {sorted(ENCODERS)}."
        )
    method_cls = methods.get_method(method)
    encoder_shape = tuple(image_shape)
    if not method_cls.same_size_views:
        # Multi-crop: the encoder sees crops of several sizes.
        encoder_shape = (None, None, image_shape[-1])
    network = ENCODERS[encoder](image_shape=encoder_shape)
    settings = SMALL_DATA_SETTINGS.get(method, {})
    augmenter = AUGMENTATIONS[method](
        image_size=image_shape[0], channels=image_shape[-1], crop_scale=crop_scale
    )
    return method_cls(
        network,
        augmenter=augmenter,
        num_classes=num_classes,
        sync_batch_norm=sync_batch_norm,
        **settings,
    )


def pretrain(
    method="simclr",
    dataset="shapes",
    epochs=None,
    batch_size=256,
    encoder="small_cnn",
    learning_rate=1e-3,
    output=None,
    seed=0,
    verbose="auto",
):
    """Pretrains `method`, then reports kNN / linear-probe vs raw pixels.

    Args:
        method: str. A name of `keras_ssl.methods.METHODS`.
        dataset: str. `"shapes"` (embedded), a folder, or a tfds name.
        epochs: int or `None`. Training epochs; `None` means the method's
            entry of `SMALL_DATA_EPOCHS`.
        batch_size: int. Images per batch.
        encoder: str. A name of `ENCODERS`.
        learning_rate: float. AdamW learning rate.
        output: optional folder for `encoder.keras`, `model.keras` and
            `results.json`.
        seed: int. Seed of weights, views and shuffling.
        verbose: Keras verbosity of `fit`.
    """
    if epochs is None:
        epochs = SMALL_DATA_EPOCHS[method]
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = _load_splits(dataset)
    num_classes = None if y_train is None else int(y_train.max()) + 1
    model = build_method(method, x_train.shape[1:], encoder, num_classes)
    model.compile(optimizer=keras.optimizers.AdamW(learning_rate))
    start = time.perf_counter()
    history = model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        verbose=verbose,
    )
    results = {
        "method": method,
        "encoder": encoder,
        "dataset": dataset,
        "epochs": epochs,
        "batch_size": batch_size,
        "backend": keras.config.backend(),
        "train_seconds": round(time.perf_counter() - start, 1),
        "final_loss": float(history.history["loss"][-1]),
    }
    if y_train is not None and y_test is not None:
        results.update(encoder_accuracies(model.encoder, (x_train, y_train), (x_test, y_test)))
    if output:
        _save(model, results, output)
    return results


def evaluate(model_dir, dataset="shapes"):
    """kNN and linear-probe accuracy of the encoder saved in `model_dir`."""
    path = os.path.join(model_dir, ENCODER_FILE)
    if not os.path.isfile(path):
        raise ValueError(
            f"No encoder at {path!r}: `model_dir` must be the output folder "
            "of `keras-ssl pretrain`."
        )
    encoder = keras.saving.load_model(path)
    train, test = _load_splits(dataset)
    if train[1] is None or test[1] is None:
        raise ValueError(
            f"Data set {dataset!r} has no labels: evaluation needs them."
        )
    return {"dataset": dataset, **encoder_accuracies(encoder, train, test)}


def encoder_accuracies(encoder, train, test, k=200):
    """Raw-pixel kNN, kNN and linear-probe accuracy of `encoder`.

    `train` and `test` are `(images, labels)`; k is InstDisc's 200, or every
    training image for smaller data sets.
    """
    k = min(k, len(train[0]))
    probe = evaluation.linear_probe(encoder, train, test)
    return {
        "raw_pixel_knn": evaluation.raw_pixel_knn_accuracy(train, test, k=k),
        "knn": evaluation.knn_accuracy(encoder, train, test, k=k, verbose=0),
        "linear_probe": probe["accuracy"],
    }


def _load_splits(dataset):
    return datasets.load(dataset, "train"), datasets.load(dataset, "test")


def _save(model, results, output):
    os.makedirs(output, exist_ok=True)
    model.encoder.save(os.path.join(output, ENCODER_FILE))
    model.save(os.path.join(output, MODEL_FILE))
    with open(os.path.join(output, RESULTS_FILE), "w") as f:
        json.dump(results, f, indent=2)
