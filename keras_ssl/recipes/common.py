"""Options, data and encoder loading shared by the recipes."""

import argparse
import json
import os
import sys

import keras
import numpy as np

from keras_ssl import datasets


def parser(description):
    """An argument parser with the options every recipe shares."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--dataset", default="shapes",
                   help="'shapes' (embedded), an image folder, or a tfds name (cifar10, stl10, imagenette, imagenet2012)")
    p.add_argument("--image-size", type=int, default=None, help="resize images to this size (default: native)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output", default=None, help="JSON file for the results")
    return p


def add_preset_option(p):
    p.add_argument("--preset", required=True,
                   help="zoo name, preset folder (save_to_preset or `keras-ssl pretrain` output), hf:// or kaggle:// handle")
    p.add_argument("--allow-unpinned", action="store_true",
                   help="trust and pin a first download whose sha256 nobody pinned")


def load_splits(args):
    """`((x_train, y_train), (x_test, y_test))` of `args.dataset`."""
    train = datasets.load(args.dataset, "train", image_size=args.image_size)
    test = datasets.load(args.dataset, "test", image_size=args.image_size)
    if train[1] is None or test[1] is None:
        raise ValueError(f"Data set {args.dataset!r} has no labels; this recipe needs them.")
    return train, test


def load_encoder(preset, allow_unpinned=False):
    """An encoder from a preset, or from a `keras-ssl pretrain` output folder."""
    legacy = os.path.join(str(preset), "encoder.keras")
    if os.path.isdir(str(preset)) and not os.path.exists(os.path.join(preset, "config.json")) and os.path.exists(legacy):
        return keras.saving.load_model(legacy)
    from keras_ssl.presets import from_preset

    return from_preset(preset, allow_unpinned=allow_unpinned)


def label_subset(labels, fraction, seed):
    """Indices of a class-balanced `fraction` of the samples (>= 1 per class)."""
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        count = max(1, int(round(fraction * len(members))))
        chosen.append(rng.choice(members, size=count, replace=False))
    return np.sort(np.concatenate(chosen))


def report(results, output=None):
    """Prints `results` and writes them as JSON to `output` when given."""
    for key, value in results.items():
        shown = f"{100 * value:.1f}%" if isinstance(value, float) and 0 <= value <= 1 and "accuracy" in key else value
        print(f"  {key}: {shown}")
    if output:
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        with open(output, "w") as f:
            json.dump(results, f, indent=2)
    return results


def command_line(recipe, argv=None):
    """The command that reruns this recipe, for the metadata it writes."""
    argv = sys.argv[1:] if argv is None else list(argv)
    backend = keras.config.backend()
    return " ".join([f"KERAS_BACKEND={backend} keras-ssl recipe {recipe}"] + argv)
