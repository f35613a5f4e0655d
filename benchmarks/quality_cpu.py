"""Quality on the embedded data set: kNN / linear probe of each method vs raw pixels.

Each method pretrains the SmallCNN encoder on the embedded `shapes` data set
(5000 train / 1000 test images, 32x32, 10 classes) with the small-data
settings of `keras_ssl.pipeline` for its `SMALL_DATA_EPOCHS` (or `--epochs`),
then reports weighted kNN (k=200, t=0.1) and linear-probe accuracy on the
test split beside raw-pixel kNN on the same split. The target (issue: core)
is kNN >= raw-pixel kNN + 15 points with pretraining inside 10 minutes on 2
CPU cores.

    KERAS_BACKEND=jax python benchmarks/quality_cpu.py --methods simclr moco_v2 byol
    KERAS_BACKEND=jax python benchmarks/quality_cpu.py --methods simclr --epochs 5

Prints a markdown table; `--append FILE` also appends it to FILE, and
`--record` merges the measurements into `keras_ssl/recipes/measured_small_cpu.json`
(the `expected` numbers of the `small_cpu` recipe configs).
"""

import argparse
import datetime
import json
import os
import platform

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from keras_ssl import pipeline  # noqa: E402

RECORD = os.path.join(
    os.path.dirname(__file__), "..", "keras_ssl", "recipes", "measured_small_cpu.json"
)


def measure(method, args):
    epochs = args.epochs or pipeline.SMALL_DATA_EPOCHS[method]
    r = pipeline.pretrain(
        method=method,
        epochs=epochs,
        batch_size=args.batch_size,
        encoder=args.encoder,
        seed=args.seed,
        verbose=2,
    )
    return {
        "epochs": epochs,
        "knn": round(100 * r["knn"], 1),
        "linear_probe": round(100 * r["linear_probe"], 1),
        "raw_pixel_knn": round(100 * r["raw_pixel_knn"], 1),
        "train_seconds": round(r["train_seconds"]),
        "backend": keras.config.backend(),
        "date": str(datetime.date.today()),
        "source": "benchmarks/RESULTS.md (benchmarks/quality_cpu.py)",
    }


def row(method, encoder, m):
    gain = m["knn"] - m["raw_pixel_knn"]
    return (
        f"| {method} | {encoder} | {m['backend']} | {m['epochs']} "
        f"| {m['train_seconds']} | {m['raw_pixel_knn']:.1f} "
        f"| {m['knn']:.1f} | {gain:+.1f} | {m['linear_probe']:.1f} |"
    )


def markdown_table(rows, batch_size, seed):
    """The `row`s under a header and a line saying where and when."""
    return "\n".join(
        [
            f"Measured {datetime.date.today()} on {platform.machine()} "
            f"({os.cpu_count()} cores), batch {batch_size}, seed {seed}.",
            "",
            "| method | encoder | backend | epochs | train s | raw-pixel kNN % "
            "| kNN % | kNN gain (pts) | linear probe % |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )


def record(measured):
    path = os.path.normpath(RECORD)
    existing = {}
    if os.path.exists(path):
        with open(path) as f:
            existing = json.load(f)
    existing.update(measured)
    with open(path, "w") as f:
        json.dump(dict(sorted(existing.items())), f, indent=1)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--methods", nargs="+", default=list(pipeline.SMALL_DATA_SETTINGS))
    parser.add_argument("--epochs", type=int, default=None, help="default: SMALL_DATA_EPOCHS")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--encoder", default="small_cnn")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--append", default=None)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    rows, measured = [], {}
    for method in args.methods:
        measured[method] = measure(method, args)
        rows.append(row(method, args.encoder, measured[method]))
        print(rows[-1], flush=True)
        if args.record and args.encoder == "small_cnn":
            record({method: measured[method]})
    table = markdown_table(rows, args.batch_size, args.seed)
    print(table)
    if args.append:
        with open(args.append, "a") as f:
            f.write(table + "\n\n")


if __name__ == "__main__":
    main()
