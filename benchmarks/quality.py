"""Quality side by side: keras_ssl vs lightly on the embedded data set.

Each method pretrains the same SmallCNN encoder on the 5000 training images
of `shapes` with the same settings on both sides: keras_ssl through
`keras_ssl.pipeline.build_method` (the small-data heads, temperatures, queue
sizes, momenta and augmentations of `SMALL_DATA_SETTINGS`, views made in the
train step), lightly through `lightly_side.LightlyMethod` (the same values
with lightly's modules, losses and transforms, views made in DataLoader
workers). Both use AdamW (lr 1e-3, weight decay 0.004, epsilon 1e-7), batch
256, shuffling and the same number of epochs. Each side trains in its own
process and saves its frozen encoder's features of the train and test
images; this process then scores both with the same keras_ssl code:
weighted kNN (k=200, t=0.1, cosine) and a linear probe (100 epochs).

    python benchmarks/quality.py --epochs 10
    python benchmarks/quality.py --methods simclr --epochs 1   # smoke run

Prints a markdown table; `--append FILE` also appends it to FILE.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_METHODS = ("simclr", "byol", "moco_v2")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--methods", nargs="+", default=list(DEFAULT_METHODS))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--backend", default="jax",
                        choices=("jax", "tensorflow", "torch"),
                        help="KERAS_BACKEND of the keras_ssl run.")
    parser.add_argument("--workers", type=int, default=2,
                        help="DataLoader workers of the lightly run.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--append", default=None)
    # Internal: run one side and save its features.
    parser.add_argument("--worker", choices=("keras_ssl", "lightly"))
    parser.add_argument("--method")
    parser.add_argument("--data")
    parser.add_argument("--out")
    return parser.parse_args(argv)


def keras_ssl_worker(args, data):
    import keras

    from keras_ssl import evaluation
    from keras_ssl import pipeline

    keras.utils.set_random_seed(args.seed)
    x_train = data["x_train"]
    model = pipeline.build_method(args.method, x_train.shape[1:], "small_cnn")
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    start = time.perf_counter()
    model.fit(x_train, epochs=args.epochs, batch_size=args.batch_size,
              shuffle=True, verbose=2)
    seconds = time.perf_counter() - start
    train = evaluation.extract_features(model.encoder, x_train, verbose=0)
    test = evaluation.extract_features(model.encoder, data["x_test"], verbose=0)
    return train, test, seconds


def lightly_worker(args, data, settings):
    sys.path.insert(0, HERE)
    import lightly_side
    import torch

    torch.manual_seed(args.seed)
    model = lightly_side.LightlyMethod(args.method, "small_cnn", settings)
    optimizer = lightly_side.adamw(model)
    batches = lightly_side.loader(data["x_train"], args.method,
                                  args.batch_size, args.workers, seed=args.seed)
    total, step = args.epochs * len(batches), 0
    start = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        losses = []
        for views in batches:
            loss = model.loss(views)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            model.after_step(step, total)
            step += 1
            losses.append(loss.item())
        print(f"epoch {epoch + 1}: loss {sum(losses) / len(losses):.4f}",
              flush=True)
    seconds = time.perf_counter() - start
    train = lightly_side.features(model.backbone, data["x_train"])
    test = lightly_side.features(model.backbone, data["x_test"])
    return train, test, seconds


def run_worker(args):
    import numpy as np

    data = dict(np.load(args.data))
    settings = json.loads(str(data.pop("settings")))
    if args.worker == "keras_ssl":
        train, test, seconds = keras_ssl_worker(args, data)
    else:
        train, test, seconds = lightly_worker(args, data, settings)
    np.savez(args.out, train=train, test=test, seconds=seconds)


def train_side(side, method, args, data_path, folder):
    out = os.path.join(folder, f"{side}_{method}.npz")
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3",
               KERAS_BACKEND=args.backend)
    command = [sys.executable, os.path.abspath(__file__), "--worker", side,
               "--method", method, "--data", data_path, "--out", out,
               "--epochs", str(args.epochs), "--batch-size",
               str(args.batch_size), "--workers", str(args.workers),
               "--seed", str(args.seed)]
    print(f"# {side} {method}: {' '.join(command[1:])}", flush=True)
    subprocess.run(command, env=env, check=True)
    return out


def score(features_path, y_train, y_test):
    import numpy as np

    from keras_ssl import evaluation

    f = np.load(features_path)
    train, test = (f["train"], y_train), (f["test"], y_test)
    return {
        "seconds": float(f["seconds"]),
        "knn": evaluation.knn_accuracy(None, train, test, k=200, verbose=0),
        "linear_probe": evaluation.linear_probe(None, train, test)["accuracy"],
    }


def main():
    args = parse_args()
    if args.worker:
        return run_worker(args)
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import numpy as np

    from keras_ssl import datasets
    from keras_ssl import evaluation
    from keras_ssl import pipeline

    x_train, y_train = datasets.load("shapes", "train")
    x_test, y_test = datasets.load("shapes", "test")
    raw = evaluation.raw_pixel_knn_accuracy((x_train, y_train), (x_test, y_test))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for method in args.methods:
            settings = pipeline.SMALL_DATA_SETTINGS.get(method, {})
            data_path = os.path.join(folder, "data.npz")
            np.savez(data_path, x_train=x_train, x_test=x_test,
                     settings=json.dumps(settings))
            result = {}
            for side in ("keras_ssl", "lightly"):
                path = train_side(side, method, args, data_path, folder)
                result[side] = score(path, y_train, y_test)
            rows.append(_row(method, args, result))
            print(rows[-1], flush=True)
    table = _table(args, rows, raw)
    print(table)
    if args.append:
        with open(args.append, "a") as f:
            f.write(table + "\n\n")


def _row(method, args, r):
    k, l = r["keras_ssl"], r["lightly"]
    return (
        f"| {method} | {args.epochs} | {k['seconds']:.0f} | {l['seconds']:.0f} "
        f"| {100 * k['knn']:.1f} | {100 * l['knn']:.1f} "
        f"| {100 * (k['knn'] - l['knn']):+.1f} "
        f"| {100 * k['linear_probe']:.1f} | {100 * l['linear_probe']:.1f} "
        f"| {100 * (k['linear_probe'] - l['linear_probe']):+.1f} |"
    )


def _table(args, rows, raw):
    return "\n".join([
        f"Measured {datetime.date.today()}: SmallCNN, batch {args.batch_size}, "
        f"seed {args.seed}, keras_ssl on {args.backend}, lightly with "
        f"{args.workers} DataLoader workers; raw-pixel kNN {100 * raw:.1f}%.",
        "",
        f"| method | epochs | keras_ssl train s | lightly train s "
        f"| keras_ssl kNN % | lightly kNN % | kNN diff (pts) "
        f"| keras_ssl linear % | lightly linear % | linear diff (pts) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ])


if __name__ == "__main__":
    main()
