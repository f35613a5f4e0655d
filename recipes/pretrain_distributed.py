"""Pretrains a keras_ssl method on several devices or hosts, on any backend.

The same script runs on every backend (`KERAS_BACKEND`); only the setup of
the distribution differs (see docs/distributed.md):

- jax: `keras.distribution.DataParallel` over every visible device. On
  several hosts, `keras.distribution.initialize` (`jax.distributed`) joins
  them first: `--coordinator HOST:PORT --num-processes N --process-id I`,
  or the KERAS_DISTRIBUTION_* environment variables, or nothing on a TPU
  pod (`--multi-host`). Each process feeds its rows of every global batch.
- tensorflow: `MirroredStrategy` over the local GPUs (or `--cpu-devices N`
  logical CPU devices); `MultiWorkerMirroredStrategy` when `TF_CONFIG` is
  set; `TPUStrategy` with `--tpu`.
- torch: one process per device started by `torchrun`; nccl on GPUs, gloo
  on CPU. Each process feeds its rows of every global batch.

`--global-batch-size` is the batch of one optimizer step over all replicas,
and the learning rate is `--base-lr x global batch / 256` (`--lr-scaling
linear`, the SimCLR/MoCo/BYOL rule) or `x sqrt(global batch / 256)`.

    KERAS_BACKEND=jax XLA_FLAGS=--xla_force_host_platform_device_count=4 \\
        python recipes/pretrain_distributed.py --epochs 1 --steps-per-epoch 3
"""

import argparse
import contextlib
import math
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

BACKEND = os.environ["KERAS_BACKEND"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--method", default="simclr")
    parser.add_argument("--dataset", default="shapes")
    parser.add_argument("--encoder", default="small_cnn")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--steps-per-epoch", type=int, default=None)
    parser.add_argument("--global-batch-size", type=int, default=256)
    parser.add_argument("--base-lr", type=float, default=0.05,
                        help="SGD learning rate for a global batch of 256")
    parser.add_argument("--lr-scaling", choices=["linear", "sqrt"], default="linear")
    parser.add_argument("--output", default=None, help="folder for model.keras")
    parser.add_argument("--local-batch-norm", action="store_true",
                        help="per-replica encoder BatchNorm (default: synchronized)")
    parser.add_argument("--seed", type=int, default=0)
    # JAX on several hosts.
    parser.add_argument("--coordinator", default=None, help="host:port of process 0")
    parser.add_argument("--num-processes", type=int, default=None)
    parser.add_argument("--process-id", type=int, default=None)
    parser.add_argument("--multi-host", action="store_true",
                        help="JAX: join hosts found by the environment (TPU pod)")
    # TensorFlow devices.
    parser.add_argument("--cpu-devices", type=int, default=None)
    parser.add_argument("--tpu", default=None, help="TPU name, or 'local'")
    return parser.parse_args()


# === The backend-specific part: (build scope, replicas, process id/count) ===


def setup_jax(args):
    import jax
    import keras

    from_env = "KERAS_DISTRIBUTION_JOB_ADDRESSES" in os.environ
    if args.coordinator or args.multi_host or from_env:
        keras.distribution.initialize(
            args.coordinator, args.num_processes, args.process_id
        )
    devices = jax.devices()
    if len(devices) > 1:
        # Global arrays: each process feeds its rows (see `local_rows`) and
        # Keras assembles them, so Keras must not shard the input again.
        distribution = keras.distribution.DataParallel(devices=devices)
        distribution.auto_shard_dataset = jax.process_count() == 1
        keras.distribution.set_distribution(distribution)
    return contextlib.nullcontext(), len(devices), jax.process_index(), jax.process_count()


def setup_tensorflow(args):
    import tensorflow as tf

    if args.tpu:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=args.tpu)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        strategy = tf.distribute.TPUStrategy(resolver)
    elif "TF_CONFIG" in os.environ:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    else:
        if args.cpu_devices:
            cpu = tf.config.list_physical_devices("CPU")[0]
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * args.cpu_devices
            )
        strategy = tf.distribute.MirroredStrategy()
    resolver = strategy.cluster_resolver
    task = 0 if resolver is None or resolver.task_id is None else resolver.task_id
    workers = 1
    if resolver is not None:
        workers = max(1, len(resolver.cluster_spec().as_dict().get("worker", [])))
    # Keras splits every global batch over the replicas (and workers).
    return strategy.scope(), strategy.num_replicas_in_sync, task, workers


def setup_torch(args):
    import torch
    import torch.distributed as dist

    if "WORLD_SIZE" not in os.environ:
        return contextlib.nullcontext(), 1, 0, 1
    if torch.cuda.is_available():
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return contextlib.nullcontext(), dist.get_world_size(), dist.get_rank(), dist.get_world_size()


def local_rows(x, global_batch, rank, processes):
    """This process's rows of every global batch, in order."""
    steps = len(x) // global_batch
    x = x[: steps * global_batch].reshape((steps, processes, -1) + x.shape[1:])
    return x[:, rank].reshape((-1,) + x.shape[3:])


def main():
    args = parse_args()
    scope, replicas, process, processes = {
        "jax": setup_jax,
        "tensorflow": setup_tensorflow,
        "torch": setup_torch,
    }[BACKEND](args)

    import numpy as np
    import keras

    from keras_ssl import datasets
    from keras_ssl import pipeline

    keras.utils.set_random_seed(args.seed)
    images, _ = datasets.load(args.dataset, split="train")
    # One global order for every process: shuffled once, not by `fit`.
    images = images[np.random.default_rng(args.seed).permutation(len(images))]
    if args.global_batch_size % replicas:
        raise ValueError(
            f"--global-batch-size {args.global_batch_size} must be a multiple "
            f"of the {replicas} replicas."
        )
    batch_size = args.global_batch_size
    if BACKEND in ("jax", "torch") and processes > 1:
        # TensorFlow splits the global batches itself; here each process
        # feeds its rows.
        images = local_rows(images, args.global_batch_size, process, processes)
        batch_size = args.global_batch_size // processes
    scale = args.global_batch_size / 256
    lr = args.base_lr * (scale if args.lr_scaling == "linear" else math.sqrt(scale))
    with scope:
        model = pipeline.build_method(
            args.method,
            images.shape[1:],
            args.encoder,
            sync_batch_norm=not args.local_batch_norm,
        )
        model.compile(optimizer=keras.optimizers.SGD(lr, momentum=0.9))
    if process == 0:
        print(f"{BACKEND}: {replicas} replica(s) in {processes} process(es), "
              f"global batch {args.global_batch_size}, lr {lr:.4g}", flush=True)
    history = model.fit(
        images,
        batch_size=batch_size,
        epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch,
        shuffle=False,
        verbose=2 if process == 0 else 0,
    )
    if process == 0:
        print(f"final loss {history.history['loss'][-1]:.6f}", flush=True)
    if args.output:
        # Every replica holds the same weights: process 0 keeps them. JAX
        # reads arrays that span processes collectively, so every JAX
        # process saves (the others to a throw-away file).
        if process == 0:
            os.makedirs(args.output, exist_ok=True)
            model.save(os.path.join(args.output, "model.keras"))
        elif BACKEND == "jax":
            import tempfile

            with tempfile.TemporaryDirectory() as scratch:
                model.save(os.path.join(scratch, "model.keras"))


if __name__ == "__main__":
    main()
