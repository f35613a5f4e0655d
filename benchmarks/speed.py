"""Training throughput: keras_ssl on JAX, TensorFlow and PyTorch vs lightly.

Every configuration (method x encoder x batch x input mode) trains the same
network with the same small-data settings on both sides
(`keras_ssl.pipeline.build_method`; `lightly_side.LightlyMethod` mirrors it)
with AdamW, and reports source images per second: the batch size over the
median wall time of the timed steps, after warm-up steps (compilation,
worker start-up) that are not timed. Each library (and each keras backend)
runs in its own process, one after the other.

Input modes:
- `augment`: views made from uint8 images during training. keras_ssl: the
  method's augmenter inside the compiled train step (`model.fit` on a numpy
  array of images, `shuffle=False`). lightly: its transforms on PIL images
  in `--workers` DataLoader worker processes (persistent, shuffled), as a
  lightly user runs it; the workers share the CPU with the training step.
- `views`: pre-made views (random float tensors of the right shape), so
  that only the model step is compared. keras_ssl: `model.fit` on a tuple of
  view arrays; lightly: slices of pre-made tensors, no DataLoader.

The FLOP rate counts 2 FLOPs per multiply-add of the convolutions and dense
layers (see `flops.py`: 3x the forward pass of trained branches, 1x of
momentum branches) and divides by the best dense matmul rate measured
here (2048 x 2048: float32 in numpy and jax; with `--precision
mixed_bfloat16` also bfloat16 in torch, which uses AMX where the CPU has
it). The lightly networks have the same layers, so they share the count.

`--precision mixed_bfloat16` trains keras_ssl under that dtype policy (its
augmenter included) and lightly's forward pass and loss under
`torch.autocast("cpu", torch.bfloat16)` (its workers' transforms stay
float32).

    python benchmarks/speed.py                       # the full default run
    python benchmarks/speed.py --quick               # smoke run, ~3 minutes
    python benchmarks/speed.py --methods simclr --encoders small_cnn
    python benchmarks/speed.py --precision mixed_bfloat16

Prints a markdown table; `--append FILE` also appends it to FILE.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KERAS_BACKENDS = ("jax", "tensorflow", "torch")
LIBRARIES = ("lightly",) + KERAS_BACKENDS
MODES = ("augment", "views")
IMAGE_SHAPE = (32, 32, 3)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--methods", nargs="+",
                        default=["simclr", "byol", "moco_v2"])
    parser.add_argument("--encoders", nargs="+",
                        default=["small_cnn", "resnet18"],
                        choices=("small_cnn", "resnet18"))
    parser.add_argument("--batch-sizes", nargs="+", type=int,
                        default=[128, 256])
    parser.add_argument("--libraries", nargs="+", default=list(LIBRARIES),
                        choices=LIBRARIES)
    parser.add_argument("--modes", nargs="+", default=list(MODES),
                        choices=MODES)
    # A ResNet-18 step takes seconds: augmentation is a small part of it,
    # and timing it twice would double the longest part of the run.
    parser.add_argument("--views-encoders", nargs="+", default=["small_cnn"],
                        help="Encoders also timed on pre-made views.")
    parser.add_argument("--warmup", type=int, default=3,
                        help="Untimed steps (SmallCNN).")
    parser.add_argument("--steps", type=int, default=10,
                        help="Timed steps (SmallCNN).")
    parser.add_argument("--resnet-warmup", type=int, default=1)
    parser.add_argument("--resnet-steps", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2,
                        help="lightly DataLoader workers.")
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="torch.set_num_threads for lightly and the keras "
                        "torch backend; default: torch's own (one per core).")
    # lightly's DataLoader workers make views on the other cores, so its
    # training thread may be best with fewer threads than the keras torch
    # backend, which makes views in the step.
    parser.add_argument("--lightly-threads", type=int, default=None,
                        help="torch.set_num_threads for lightly alone; "
                        "default: --torch-threads.")
    parser.add_argument("--precision", default="float32",
                        choices=("float32", "mixed_bfloat16"),
                        help="keras_ssl's dtype policy; lightly runs its "
                        "forward pass and loss under torch.autocast(bfloat16).")
    parser.add_argument("--quick", action="store_true",
                        help="Smoke run: SimCLR, SmallCNN, batch 128, 1+2 steps.")
    parser.add_argument("--append", default=None)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--configs", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.methods, args.encoders, args.batch_sizes = ["simclr"], ["small_cnn"], [128]
        args.warmup, args.steps = 1, 2
    for name in ("warmup", "resnet_warmup"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1 (compilation).")
    return args


def configurations(args):
    """The (method, encoder, batch, mode, warmup, steps) dicts to time."""
    configs = []
    for encoder in args.encoders:
        resnet = encoder == "resnet18"
        warmup = args.resnet_warmup if resnet else args.warmup
        steps = args.resnet_steps if resnet else args.steps
        for method in args.methods:
            for batch in args.batch_sizes:
                for mode in args.modes:
                    if mode == "views" and encoder not in args.views_encoders:
                        continue
                    configs.append(dict(method=method, encoder=encoder,
                                        batch=batch, mode=mode,
                                        warmup=warmup, steps=steps,
                                        precision=args.precision))
    return configs


def median_throughput(step_ends, batch, warmup):
    """Images/s from the end times of every step; the first `warmup` skipped.

    Step `i`'s time is `step_ends[i] - step_ends[i - 1]`, so the first step
    (compilation) never counts, whatever `warmup` is.
    """
    durations = [b - a for a, b in zip(step_ends, step_ends[1:])]
    timed = durations[warmup - 1:]
    if not timed:
        raise ValueError(
            f"No timed steps: {len(step_ends)} steps with warmup={warmup}."
        )
    return batch / statistics.median(timed)


# === Workers: one process per library or keras backend ===


def keras_ssl_config(config, images):
    import keras
    import numpy as np

    import flops
    from keras_ssl import pipeline

    keras.utils.set_random_seed(0)
    keras.config.set_dtype_policy(config["precision"])
    model = pipeline.build_method(config["method"], IMAGE_SHAPE, config["encoder"])
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    count = (config["warmup"] + config["steps"]) * config["batch"]
    if config["mode"] == "augment":
        x = np.resize(images, (count,) + images.shape[1:])
    else:
        rng = np.random.default_rng(0)
        x = tuple(
            rng.uniform(0, 255, (count,) + IMAGE_SHAPE).astype("float32")
            for _ in range(model.num_views)
        )
    ends = []
    timer = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: ends.append(time.perf_counter())
    )
    model.fit(x, batch_size=config["batch"], epochs=1, shuffle=False,
              verbose=0, callbacks=[timer])
    flop, note = flops.train_step_flops_per_image(model, config["method"])
    return {"images_per_s": median_throughput(ends, config["batch"], config["warmup"]),
            "flops_per_image": flop, "flops_note": note}


def lightly_config(config, images, settings, workers):
    import lightly_side
    import torch

    torch.manual_seed(0)
    model = lightly_side.LightlyMethod(
        config["method"], config["encoder"], settings[config["method"]]
    )
    model.train()
    optimizer = lightly_side.adamw(model)
    batch = config["batch"]
    total = config["warmup"] + config["steps"]
    if config["mode"] == "augment":
        import numpy as np

        data = np.resize(images, (total * batch,) + images.shape[1:])
        batches = iter(lightly_side.loader(data, config["method"], batch, workers))
    else:
        views = [torch.rand(total * batch, 3, 32, 32) for _ in range(2)]
        batches = ([v[i * batch:(i + 1) * batch] for v in views] for i in range(total))
    ends = []
    bfloat16 = config["precision"] == "mixed_bfloat16"
    for step in range(total):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16):
            loss = model.loss(next(batches))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model.after_step(step, total)
        loss.item()
        ends.append(time.perf_counter())
    return {"images_per_s": median_throughput(ends, batch, config["warmup"])}


def run_worker(args):
    if args.worker == "lightly":
        import torchvision  # noqa: F401  (before anything imports tensorflow)
    sys.path.insert(0, HERE)
    import numpy as np

    if args.torch_threads and args.worker in ("lightly", "torch"):
        import torch

        torch.set_num_threads(args.torch_threads)
    payload = json.loads(args.configs)
    images = np.load(payload["images"])
    for config in payload["configs"]:
        if args.worker == "lightly":
            result = lightly_config(config, images, payload["settings"], args.workers)
        else:
            result = keras_ssl_config(config, images)
        print("RESULT " + json.dumps({**config, "library": args.worker, **result}),
              flush=True)


# === The driver ===


def torch_threads(args, library):
    """The torch thread count given to `library`'s process (None: torch's)."""
    if library == "lightly" and args.lightly_threads:
        return args.lightly_threads
    return args.torch_threads


def run_library(library, configs, args, images_path, settings):
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3")
    if library != "lightly":
        env["KERAS_BACKEND"] = library
    payload = json.dumps({"configs": configs, "images": images_path,
                          "settings": settings})
    command = [sys.executable, os.path.abspath(__file__), "--worker", library,
               "--configs", payload, "--workers", str(args.workers)]
    threads = torch_threads(args, library)
    if threads:
        command += ["--torch-threads", str(threads)]
    results = []
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout:
            if line.startswith("RESULT "):
                results.append(json.loads(line[len("RESULT "):]))
                r = results[-1]
                print(f"# {library} {r['method']} {r['encoder']} b{r['batch']} "
                      f"{r['mode']}: {r['images_per_s']:.1f} img/s", flush=True)
    if proc.returncode:
        print(f"# {library} worker exited with {proc.returncode}", flush=True)
    return results


def main():
    args = parse_args()
    if args.worker:
        return run_worker(args)
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import tempfile

    import numpy as np

    import flops
    from keras_ssl import datasets
    from keras_ssl import pipeline

    load_before = os.getloadavg()
    started = datetime.datetime.now()
    peak = flops.matmul_peak_flops()
    if args.precision == "mixed_bfloat16":
        peak["torch bfloat16"] = flops.torch_bfloat16_matmul_peak_flops()
    images_path = os.path.join(tempfile.mkdtemp(), "images.npy")
    np.save(images_path, datasets.load("shapes", "train")[0])
    settings = {m: pipeline.SMALL_DATA_SETTINGS.get(m, {}) for m in args.methods}
    configs = configurations(args)
    results = []
    for library in args.libraries:
        results += run_library(library, configs, args, images_path, settings)
    table = format_table(results, configs, args, peak, load_before, started)
    print(table)
    if args.append:
        with open(args.append, "a") as f:
            f.write(table + "\n\n")


def format_table(results, configs, args, peak, load_before, started):
    by_key = {(r["library"], r["method"], r["encoder"], r["batch"], r["mode"]): r
              for r in results}
    peak_rate = max(v for v in peak.values() if v)
    keras_libs = [b for b in KERAS_BACKENDS if b in args.libraries]
    header = ["method", "encoder", "batch", "views made"]
    header += ["lightly img/s"] + [f"{b} img/s (x lightly)" for b in keras_libs]
    header += ["% of peak: " + "/".join(l for l in args.libraries)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    notes = {}
    for c in configs:
        key = (c["method"], c["encoder"], c["batch"], c["mode"])
        base = by_key.get(("lightly",) + key)
        cells = list(key[:3]) + ["in step / workers" if c["mode"] == "augment" else "pre-made"]
        cells.append(f"{base['images_per_s']:.1f}" if base else "-")
        flop = None
        for b in keras_libs:
            r = by_key.get((b,) + key)
            if r is None:
                cells.append("-")
                continue
            flop = r["flops_per_image"]
            notes[(c["method"], c["encoder"])] = r["flops_note"]
            ratio = f" ({r['images_per_s'] / base['images_per_s']:.2f}x)" if base else ""
            cells.append(f"{r['images_per_s']:.1f}{ratio}")
        fractions = []
        for lib in args.libraries:
            r = by_key.get((lib,) + key)
            ok = r is not None and flop is not None
            fractions.append(f"{100 * r['images_per_s'] * flop / peak_rate:.0f}" if ok else "-")
        cells.append("/".join(fractions))
        lines.append("| " + " | ".join(str(x) for x in cells) + " |")
    peak_text = ", ".join(f"{k} {v / 1e9:.0f}" for k, v in peak.items() if v)
    head = [
        f"Measured {started:%Y-%m-%d %H:%M} to {datetime.datetime.now():%H:%M}, "
        f"{os.cpu_count()} CPU cores, load average (1/5/15 min) before the "
        f"run {_loads(load_before)}, after it {_loads(os.getloadavg())}. "
        f"Images/s: source "
        f"images (2 views each) per second, median of the timed steps "
        f"(SmallCNN {args.warmup}+{args.steps}, ResNet-18 "
        f"{args.resnet_warmup}+{args.resnet_steps} warm-up+timed steps); "
        f"lightly with {args.workers} DataLoader workers, torch threads: "
        f"{torch_threads(args, 'lightly') or 'default'} (lightly), "
        f"{args.torch_threads or 'default'} (keras torch). Precision: "
        f"{args.precision}. Matmul peak (GFLOP/s; float32 unless "
        f"named): {peak_text}.",
        "",
    ]
    flop_lines = ["", "Training FLOPs per source image (counted as direct "
                  "convolutions; on JAX's CPU Winograd layers the "
                  "rate is an effective one):"] + [
        f"- {m} / {e}: {note}" for (m, e), note in sorted(notes.items())
    ]
    return "\n".join(head + lines + flop_lines)


def _loads(loads):
    return "/".join(f"{x:.2f}" for x in loads)


if __name__ == "__main__":
    main()
