"""Scaling over simulated devices: steps/s, images/s and collective payload.

For each backend and device count, a child process trains each method for
a few steps on the same global batch: JAX over N forced CPU devices with
`keras.distribution.DataParallel`, TensorFlow over N logical CPU devices
with `MirroredStrategy`, PyTorch as N `torchrun` gloo processes (N = 1:
no distribution). The simulated devices share the machine's cores, so this
measures the cost of distribution (partitioning, collectives, per-replica
overhead), not a speed-up. The PyTorch children also count the bytes each
replica puts into collectives per step: the gradient all-reduce, and the
losses' gathers and reductions (gathered embeddings, queue keys, batch
statistics, SyncBatchNorm moments). TensorFlow's strategies move the same
tensors (same algorithm); JAX's SPMD partitioner chooses its own.

    python benchmarks/scaling_cpu.py                       # all backends, 1 2 4
    python benchmarks/scaling_cpu.py --backends torch --devices 1 2 --steps 3

Prints a markdown table; `--append FILE` also appends it to FILE.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METHODS = {
    "SimCLR": {"temperature": 0.5},
    "MoCoV2": {"queue_size": 4096},
    "BYOL": {},
    "BarlowTwins": {},
}
HEADS = {"projection_hidden_dim": 512, "projection_dim": 128}
REPEATS = 3


# === Child: one backend, one device count ===


def _setup(backend, devices):
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if backend == "jax":
        os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
    sys.path.insert(0, ROOT)


def _scope_and_local(backend, devices):
    """(context manager for building, function slicing the global batch)."""
    import contextlib

    import keras

    whole = lambda batch: batch  # noqa: E731
    if devices == 1:
        return contextlib.nullcontext, whole
    if backend == "jax":
        import jax

        keras.distribution.set_distribution(
            keras.distribution.DataParallel(devices=jax.devices())
        )
        return contextlib.nullcontext, whole
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.distribute.MirroredStrategy(
            [f"/cpu:{i}" for i in range(devices)]
        ).scope, whole
    import torch.distributed as dist

    dist.init_process_group("gloo")
    rank = dist.get_rank()
    return contextlib.nullcontext, lambda batch: keras.tree.map_structure(
        lambda x: x[rank * len(x) // devices : (rank + 1) * len(x) // devices], batch
    )


class _PayloadCounter:
    """Bytes this process passes to torch.distributed collectives."""

    def __init__(self):
        import torch.distributed as dist

        from keras_ssl.backend import torch_collectives

        self.bytes = {"gradients": 0, "loss": 0}
        self.counting = False
        self._phase = "loss"
        for name in ("all_reduce", "all_gather", "broadcast"):
            setattr(dist, name, self._wrap(getattr(dist, name)))
        summed = torch_collectives.sum_gradients

        def sum_gradients(grads):
            self._phase = "gradients"
            try:
                return summed(grads)
            finally:
                self._phase = "loss"

        torch_collectives.sum_gradients = sum_gradients

    def _wrap(self, fn):
        def counted(tensor, *args, **kwargs):
            # all_gather(outputs, input): the input is what this replica sends.
            sent = args[0] if isinstance(tensor, list) else tensor
            if self.counting:
                self.bytes[self._phase] += sent.numel() * sent.element_size()
            return fn(tensor, *args, **kwargs)

        return counted


def child(backend, devices, steps, batch, out):
    _setup(backend, devices)
    import numpy as np
    import keras

    from keras_ssl import methods
    from keras_ssl.encoders import SmallCNN

    counter = _PayloadCounter() if backend == "torch" and devices > 1 else None
    scope, local = _scope_and_local(backend, devices)
    rng = np.random.default_rng(0)
    views = [
        rng.uniform(0, 255, ((steps + 1) * batch, 32, 32, 3)).astype("float32")
        for _ in range(2)
    ]
    rows = []
    for name, kwargs in METHODS.items():
        keras.utils.set_random_seed(0)
        with scope():
            model = getattr(methods, name)(
                SmallCNN(), sync_batch_norm=True, **HEADS, **kwargs
            )
            model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9))

        def fit(start, count):
            data = [v[start * batch : (start + count) * batch] for v in views]
            return model.fit(local(tuple(data)), batch_size=batch // devices,
                             epochs=1, verbose=0, shuffle=False)

        fit(0, 1)  # compile / trace, first broadcast
        times = []
        for repeat in range(REPEATS):
            if counter is not None:
                counter.counting = repeat == 0
            began = time.perf_counter()
            fit(1, steps)
            times.append(time.perf_counter() - began)
        # The fastest repeat: the least disturbed by other work on the machine.
        seconds = min(times)
        row = {"method": name, "backend": backend, "devices": devices,
               "steps_per_s": steps / seconds, "images_per_s": steps * batch / seconds}
        if counter is not None:
            counter.counting = False
            row.update({k: v / steps for k, v in counter.bytes.items()})
            counter.bytes = {"gradients": 0, "loss": 0}
        rows.append(row)
    if backend != "torch" or int(os.environ.get("RANK", "0")) == 0:
        with open(out, "w") as f:
            json.dump(rows, f)


# === Parent: one child per (backend, device count) ===


def run_child(backend, devices, steps, batch):
    out = tempfile.mktemp(suffix=".json")
    script = [os.path.abspath(__file__), "--child", backend, str(devices),
              str(steps), str(batch), out]
    if backend == "torch" and devices > 1:
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                   "--nproc_per_node", str(devices), *script]
    else:
        command = [sys.executable, *script]
    if backend == "tensorflow":
        command = [sys.executable, "-c", _TF_DEVICES.format(devices), *script]
    env = {**os.environ, "PYTHONPATH": ROOT}
    if backend == "torch":
        # torchrun's default for each process, also for one device: two
        # threads per process on two shared cores were up to 4x slower here.
        env["OMP_NUM_THREADS"] = "1"
    subprocess.run(command, check=True, cwd=ROOT, env=env)
    with open(out) as f:
        return json.load(f)


# TensorFlow's logical CPU devices must be declared before it starts.
_TF_DEVICES = (
    "import runpy, sys; import tensorflow as tf; "
    "cpu = tf.config.list_physical_devices('CPU')[0]; "
    "tf.config.set_logical_device_configuration(cpu, "
    "[tf.config.LogicalDeviceConfiguration()] * {0}); "
    "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def _megabytes(row, key):
    return f"{row[key] / 1e6:.2f}" if key in row else "-"


def table(rows, args):
    lines = [
        f"Measured {datetime.date.today()} on {platform.machine()} "
        f"({os.cpu_count()} cores shared by all simulated devices), global "
        f"batch {args.batch}, the fastest of {REPEATS} runs of {args.steps} "
        "steps after one warm-up step, SmallCNN encoder (32x32), heads "
        "512 -> 128, sync_batch_norm=True, pre-made views; PyTorch processes "
        "run one intra-op thread each (torchrun's default), JAX and "
        "TensorFlow use their own thread pools.",
        "",
        "| method | backend | devices | steps/s | images/s | gradient all-reduce MB "
        "/ replica / step | loss collectives MB / replica / step |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['method']} | {r['backend']} | {r['devices']} "
            f"| {r['steps_per_s']:.2f} | {r['images_per_s']:.0f} "
            f"| {_megabytes(r, 'gradients')} | {_megabytes(r, 'loss')} |"
        )
    return "\n".join(lines)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        backend, devices, steps, batch, out = sys.argv[2:7]
        return child(backend, int(devices), int(steps), int(batch), out)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", nargs="+", default=["jax", "tensorflow", "torch"])
    parser.add_argument("--devices", nargs="+", type=int, default=[1, 2, 4])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--append", default=None)
    args = parser.parse_args()
    rows = []
    for backend in args.backends:
        for devices in args.devices:
            rows.extend(run_child(backend, devices, args.steps, args.batch))
            print(json.dumps(rows[-len(METHODS):]), flush=True)
    rows.sort(key=lambda r: (list(METHODS).index(r["method"]), r["backend"], r["devices"]))
    text = table(rows, args)
    print(text)
    if args.append:
        with open(args.append, "a") as f:
            f.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
