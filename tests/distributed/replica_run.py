"""Child process of test_distributed.py: one step on one device and on N.

    python tests/distributed/replica_run.py SCENARIO OUT_DIR [--no-single] [CASE ...]

SCENARIO is `jax` (4 forced CPU devices, keras.distribution.DataParallel),
`mirrored` (2 logical TF CPU devices, MirroredStrategy), `multiworker` (one
of 2 MultiWorkerMirroredStrategy workers; TF_CONFIG set by the parent) or
`torch` (one of 2 `torchrun` processes, gloo). Device counts are fixed when
a framework starts, hence a child process per scenario.

For every case, the initial state (`<case>_initial.npz`), the one-device
run (`<case>_single.npz`) and the state of every replica after the same
step on N replicas (`<case>_<scenario><k>.npz`) are written for the parent
to compare. The checkpoint case also trains a second step: on one device
(`ckpt_single_step1.npz`), and on N replicas from the one-device
checkpoint loaded under the strategy (`ckpt_loaded_<scenario><k>.npz`);
the N-replica model after its first step is saved as
`ckpt_<scenario>.keras` for the parent to load on one device.
`--no-single` reuses the one-device files already in OUT_DIR.
"""

import os
import sys

SCENARIO, OUT = sys.argv[1], sys.argv[2]
os.environ["KERAS_BACKEND"] = "jax" if SCENARIO == "jax" else (
    "torch" if SCENARIO == "torch" else "tensorflow"
)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if SCENARIO == "jax":
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))

class JAXReplicas:
    """4 CPU devices; the one-device runs use no distribution."""

    def __init__(self):
        import jax

        self.jax = jax

    def enter(self):
        import keras

        keras.distribution.set_distribution(
            keras.distribution.DataParallel(devices=self.jax.devices())
        )

    def scope(self):
        import contextlib

        return contextlib.nullcontext()

    def local(self, data):
        return data

    def states(self, model):
        variables = list(model.variables) + list(model.optimizer.variables)
        per_device = [[] for _ in self.jax.devices()]
        for v in variables:
            shards = sorted(v.value.addressable_shards, key=lambda s: s.device.id)
            for k, shard in enumerate(shards):
                per_device[k].append(np.asarray(shard.data, dtype="float64"))
        return per_device


class TFReplicas:
    """A tf.distribute strategy; the one-device runs are outside its scope."""

    def __init__(self, multiworker):
        import tensorflow as tf

        self.tf = tf
        if multiworker:
            self.strategy = tf.distribute.MultiWorkerMirroredStrategy()
        else:
            cpu = tf.config.list_physical_devices("CPU")[0]
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * 2
            )
            self.strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])

    def enter(self):
        pass

    def scope(self):
        return self.strategy.scope()

    def local(self, data):
        # Keras splits each global batch across replicas (and workers).
        return data

    def on_each_replica(self, fn):
        results = self.strategy.run(fn)
        return [
            keras.tree.map_structure(lambda x: x.numpy(), r)
            for r in self.strategy.experimental_local_results(results)
        ]

    def states(self, model):
        variables = list(model.variables) + list(model.optimizer.variables)
        copies = [self.strategy.experimental_local_results(v.value) for v in variables]
        return [
            [np.asarray(c[k].numpy(), dtype="float64") for c in copies]
            for k in range(len(copies[0]))
        ]


class TorchReplicas:
    """One process of `torchrun --nproc_per_node 2`, gloo."""

    def __init__(self):
        import torch.distributed as dist

        self.dist = dist
        self.rank = int(os.environ["RANK"])
        self.size = int(os.environ["WORLD_SIZE"])

    def enter(self):
        self.dist.init_process_group("gloo")

    def scope(self):
        import contextlib

        return contextlib.nullcontext()

    def local(self, data):
        # This process feeds its rows of the global batch.
        rows = cases.GLOBAL_BATCH // self.size
        start = self.rank * rows
        return keras.tree.map_structure(lambda x: x[start : start + rows], data)

    def on_each_replica(self, fn):
        return [keras.tree.map_structure(keras.ops.convert_to_numpy, fn())]

    def states(self, model):
        return [cases.state_of(model)]


def replicas_for(scenario):
    if scenario == "jax":
        return JAXReplicas()
    if scenario in ("mirrored", "multiworker"):
        return TFReplicas(multiworker=scenario == "multiworker")
    return TorchReplicas()


def first_id(replicas):
    """Index of this process's first replica (several per process on TF)."""
    if SCENARIO == "torch":
        return replicas.rank
    if SCENARIO == "multiworker":
        import json

        return json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    return 0


def train_step(model, name, step, replicas=None):
    data = cases.batch(name, step)
    if replicas is not None:
        data = replicas.local(data)
    size = len(keras.tree.flatten(data)[0])
    history = model.fit(data, batch_size=size, epochs=1, verbose=0, shuffle=False)
    return history.history["loss"][-1]


def path(name):
    return os.path.join(OUT, name)


def run_single(names):
    for name in names:
        model = cases.make_model(name)
        cases.save_state(path(f"{name}_initial.npz"), 0.0, cases.state_of(model))
        loss = train_step(model, name, 0)
        cases.save_state(path(f"{name}_single.npz"), loss, cases.state_of(model))
        if name == cases.CHECKPOINT_CASE:
            model.save(path("ckpt_single.keras"))
            loss = train_step(model, name, 1)
            cases.save_state(path("ckpt_single_step1.npz"), loss, cases.state_of(model))


def run_replicas(names, replicas):
    first = first_id(replicas)
    for name in names:
        with replicas.scope():
            model = cases.make_model(name)
        loss = train_step(model, name, 0, replicas)
        for k, state in enumerate(replicas.states(model)):
            cases.save_state(path(f"{name}_{SCENARIO}{first + k}.npz"), loss, state)
        if name == cases.CHECKPOINT_CASE and first == 0:
            model.save(path(f"ckpt_{SCENARIO}.keras"))
    if cases.CHECKPOINT_CASE in names:
        with replicas.scope():
            model = keras.saving.load_model(path("ckpt_single.keras"))
        loss = train_step(model, cases.CHECKPOINT_CASE, 1, replicas)
        for k, state in enumerate(replicas.states(model)):
            name = f"ckpt_loaded_{SCENARIO}{first + k}.npz"
            cases.save_state(path(name), loss, state)


def run_augmenter(replicas):
    """On-device views of the same images on every replica, and the seeds."""
    with replicas.scope():
        model = cases.make_model(cases.AUGMENTED)
    images = cases.batch(cases.AUGMENTED)["images"]

    def views_and_seeds():
        views = model._make_views(keras.ops.convert_to_tensor(images))
        seeds = [
            keras.ops.convert_to_tensor(v)
            for v in model.augmenter.non_trainable_variables
        ]
        return {"views": views, "seeds": seeds}

    first = first_id(replicas)
    for k, result in enumerate(replicas.on_each_replica(views_and_seeds)):
        arrays = {f"view{i}": v for i, v in enumerate(result["views"])}
        arrays.update({f"seed{i}": s for i, s in enumerate(result["seeds"])})
        np.savez(path(f"augment_{SCENARIO}{first + k}.npz"), **arrays)


if __name__ == "__main__":
    import numpy as np
    import keras

    from tests.distributed import cases

    single = "--no-single" not in sys.argv[3:]
    names = [a for a in sys.argv[3:] if a != "--no-single"] or list(cases.CASES)
    if SCENARIO == "jax" and names == list(cases.CASES):
        names.append(cases.AUGMENTED)
    replicas = replicas_for(SCENARIO)
    if single and first_id(replicas) == 0:
        # The one-device runs, once; the other processes wait for them at
        # their first collective.
        run_single(names)
    replicas.enter()
    run_replicas(names, replicas)
    if SCENARIO in ("mirrored", "torch"):
        run_augmenter(replicas)
