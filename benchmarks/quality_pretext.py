"""Quality of the pretext-task methods on the embedded data set vs raw pixels.

RotationPrediction trains the SmallCNN on whole 32x32 images; Jigsaw and
RelativePatchLocation train it on tiles / patches of 10-pixel cells (built
for any input size) and are evaluated on their image representation,
`model.predict`: the encoder's features of the 9 centred tiles, in grid
order. The same encoder's features of whole images are scored too
(`whole-image kNN`). Evaluation as in `quality_cpu.py`: weighted kNN
(k=200) and a linear probe on the test split, beside raw-pixel kNN.

Colorization needs colours to predict, and the embedded `shapes` images are
grey: it trains on `load_shapes(color=True)` (the same shapes, each tinted
with a random hue, class-independent) and is evaluated on the lightness of
those images, the encoder's input, beside raw-pixel kNN on the same
lightness images.

    KERAS_BACKEND=jax python benchmarks/quality_pretext.py --methods rotation relative_patch_location
    KERAS_BACKEND=tensorflow python benchmarks/quality_pretext.py --methods jigsaw colorization
    KERAS_BACKEND=jax python benchmarks/quality_pretext.py --methods rotation --epochs 5
"""

import argparse
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from keras_ssl import datasets  # noqa: E402
from keras_ssl import encoders  # noqa: E402
from keras_ssl import evaluation  # noqa: E402
from keras_ssl import methods  # noqa: E402
from keras_ssl import pipeline  # noqa: E402

import quality_cpu  # noqa: E402  (benchmarks/: its table format)

# Tiles of Jigsaw and patches of RelativePatchLocation sit in 10-pixel cells
# of a 32-pixel image (a 3x3 grid), leaving a gap between neighbours.
TILE_SIZE = 9
PATCH_SIZE = 8
TILE_METHODS = ("jigsaw", "relative_patch_location")

# Epochs that fit in 10 minutes on 2 CPU cores: an epoch takes about 10 s
# for RotationPrediction (4 rotations of each image) and under 1 s for
# RelativePatchLocation (2 small patches) on JAX; 4.3 s for Colorization and
# 4.6-4.8 s for Jigsaw (9 tiles per image) on TensorFlow, where JAX needs 24-30 s
# a Jigsaw epoch (benchmarks/RESULTS.md).
EPOCHS = {
    "rotation": 30,
    "jigsaw": 60,
    "relative_patch_location": 300,
    "colorization": 100,
}


def build(method):
    if method not in EPOCHS:
        raise ValueError(
            f"Unknown pretext method {method!r}. Expected one of {sorted(EPOCHS)}."
        )
    # Jigsaw and RelativePatchLocation encode small tiles: an encoder for any
    # size embeds them in training and whole images in the evaluation.
    if method == "rotation":
        encoder = encoders.SmallCNN(image_shape=(32, 32, 3))
        return methods.RotationPrediction(encoder)
    if method == "colorization":
        # An 8x8 map of colours (4-pixel cells) through a hidden layer: on
        # shapes of 6 to 11 pixels a 4x4 map of 8-pixel cells says little.
        # ab bins of 20 keep the head's output small (8 x 8 x 121 classes),
        # which affords a 1024-wide hidden layer in the same time.
        encoder = encoders.SmallCNN(image_shape=(32, 32, 1))
        return methods.Colorization(
            encoder, output_size=8, hidden_dim=1024, ab_grid_size=20.0
        )
    encoder = encoders.SmallCNN(image_shape=(None, None, 3))
    if method == "jigsaw":
        return methods.Jigsaw(encoder, tile_size=TILE_SIZE, hidden_dim=1024)
    if method == "relative_patch_location":
        return methods.RelativePatchLocation(encoder, patch_size=PATCH_SIZE, hidden_dim=1024)


def measure(method, args):
    keras.utils.set_random_seed(args.seed)
    color = method == "colorization"
    train = datasets.load_shapes("train", color=color)
    test = datasets.load_shapes("test", color=color)
    model = build(method)
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    start = time.perf_counter()
    epochs = args.epochs or EPOCHS[method]
    model.fit(train[0], epochs=epochs, batch_size=args.batch_size, verbose=2)
    seconds = time.perf_counter() - start
    if color:
        # The encoder sees lightness only: evaluate it, and raw pixels, on that.
        train, test = [(lightness(model, x), y) for x, y in (train, test)]
    # The tile methods describe an image by its grid of tile features.
    tiles = method in TILE_METHODS
    embedder = model if tiles else model.encoder
    accuracies = pipeline.encoder_accuracies(embedder, train, test)
    whole = None
    if tiles:
        whole = evaluation.knn_accuracy(model.encoder, train, test, verbose=0)
    return {
        "epochs": epochs,
        "train_seconds": round(seconds),
        "raw_pixel_knn": round(100 * accuracies["raw_pixel_knn"], 1),
        "knn": round(100 * accuracies["knn"], 1),
        "linear_probe": round(100 * accuracies["linear_probe"], 1),
        "backend": keras.config.backend(),
        "whole_image_knn": None if whole is None else round(100 * whole, 1),
    }


def lightness(model, images):
    return keras.ops.convert_to_numpy(model.lightness(images.astype("float32")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--methods", nargs="+", default=list(EPOCHS))
    parser.add_argument("--epochs", type=int, default=None, help="default: EPOCHS")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    for method in args.methods:
        measured = measure(method, args)
        rows.append(quality_cpu.row(method, "small_cnn", measured))
        print(rows[-1], flush=True)
        if measured["whole_image_knn"] is not None:
            print(f"# {method}: the encoder on whole images, kNN "
                  f"{measured['whole_image_knn']:.1f}%", flush=True)
    print(quality_cpu.markdown_table(rows, args.batch_size, args.seed))


if __name__ == "__main__":
    main()
