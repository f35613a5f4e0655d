"""N replicas train exactly like one device on the same global batch.

Each scenario runs in child processes (`replica_run.py`), because device
counts are fixed when a framework starts: 4 forced JAX CPU devices with
`keras.distribution.DataParallel`; 2 logical TF CPU devices with
`MirroredStrategy`; 2 `MultiWorkerMirroredStrategy` workers on localhost;
2 `torchrun` processes with gloo. A scenario runs only in the pytest process
of its backend (the suite runs once per backend). For every method the
loss, every model and optimizer variable (EMA targets, queues, centres,
BatchNorm statistics) of every replica after one step must equal the
one-device step within 1e-5; a checkpoint saved on N replicas trains on
one device, and one saved on one device trains on N replicas, like the
uninterrupted one-device run.
"""

import json
import os
import pathlib
import socket
import subprocess
import sys

import numpy as np
import keras
import pytest

from tests.distributed import cases

BACKEND = keras.config.backend()
RUNNER = pathlib.Path(__file__).with_name("replica_run.py")
ROOT = RUNNER.parents[2]
TIMEOUT = 1200
# One worker runs the scenario children once (module fixtures).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("distributed")]


def _only_on(backend):
    return pytest.mark.skipif(
        BACKEND != backend,
        reason=f"runs in the {backend} test process only (its children "
        "fix their own device counts)",
    )


def _run(commands, envs=None):
    """Runs the commands in parallel; raises with their output on failure."""
    envs = envs or [None] * len(commands)
    procs = [
        subprocess.Popen(
            c,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **(e or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for c, e in zip(commands, envs)
    ]
    outputs = [p.communicate(timeout=TIMEOUT)[0] for p in procs]
    for proc, output in zip(procs, outputs):
        if proc.returncode != 0:
            raise AssertionError(f"{proc.args} failed:\n{output[-6000:]}")


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _child(scenario, out, *args):
    return [sys.executable, str(RUNNER), scenario, str(out), *args]


@pytest.fixture(scope="module")
def jax_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("jax")
    _run([_child("jax", out)])
    return out


@pytest.fixture(scope="module")
def tf_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("tensorflow")
    _run([_child("mirrored", out)])
    return out


@pytest.fixture(scope="module")
def multiworker_dir(tf_dir):
    # Reuses the one-device runs of tf_dir; the 2 workers run together.
    ports = _free_ports(2)
    cluster = {"worker": [f"localhost:{p}" for p in ports]}
    tasks = [{"type": "worker", "index": i} for i in range(2)]
    envs = [{"TF_CONFIG": json.dumps({"cluster": cluster, "task": t})} for t in tasks]
    _run([_child("multiworker", tf_dir, "--no-single")] * 2, envs)
    return tf_dir


@pytest.fixture(scope="module")
def torch_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("torch")
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    _run([[*launcher, "--nproc_per_node", "2", str(RUNNER), "torch", str(out)]])
    return out


def _assert_same_state(actual_file, expected_file):
    actual_loss, actual = cases.load_state(actual_file)
    expected_loss, expected = cases.load_state(expected_file)
    np.testing.assert_allclose(actual_loss, expected_loss, rtol=1e-6, atol=1e-5)
    assert len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected)):
        np.testing.assert_allclose(
            a, e, rtol=1e-6, atol=1e-5, err_msg=f"variable {i} of {actual_file.name}"
        )


def _check_case(out, scenario, replicas, name):
    initial = cases.load_state(out / f"{name}_initial.npz")[1]
    single = cases.load_state(out / f"{name}_single.npz")[1]
    # The step moved the weights far beyond the tolerance.
    assert max(np.max(np.abs(a - b), initial=0) for a, b in zip(single, initial)) > 1e-2
    files = sorted(out.glob(f"{name}_{scenario}[0-9].npz"))
    assert len(files) == replicas
    for f in files:
        _assert_same_state(f, out / f"{name}_single.npz")


def _check_checkpoints(out, scenario, replicas):
    # Saved on one device, resumed on N replicas.
    files = sorted(out.glob(f"ckpt_loaded_{scenario}[0-9].npz"))
    assert len(files) == replicas
    for f in files:
        _assert_same_state(f, out / "ckpt_single_step1.npz")
    # Saved on N replicas, resumed here, on one device.
    model = keras.saving.load_model(out / f"ckpt_{scenario}.keras")
    data = cases.batch(cases.CHECKPOINT_CASE, 1)
    history = model.fit(data, batch_size=cases.GLOBAL_BATCH, verbose=0, shuffle=False)
    resumed = out / "ckpt_resumed_here.npz"
    cases.save_state(resumed, history.history["loss"][-1], cases.state_of(model))
    _assert_same_state(resumed, out / "ckpt_single_step1.npz")


def _check_augmenter_draws(out, scenario):
    # The same images on each replica get different random views, and the
    # seed generators end in the same state on every replica.
    first, second = (np.load(out / f"augment_{scenario}{k}.npz") for k in (0, 1))
    views = [k for k in first.files if k.startswith("view")]
    assert views and any(not np.array_equal(first[k], second[k]) for k in views)
    for k in (k for k in first.files if k.startswith("seed")):
        np.testing.assert_array_equal(first[k], second[k])


ALL_CASES = sorted(cases.CASES)


@_only_on("jax")
@pytest.mark.parametrize("name", ALL_CASES + [cases.AUGMENTED])
def test_jax_data_parallel_on_4_devices_matches_one_device(jax_dir, name):
    _check_case(jax_dir, "jax", 4, name)


@_only_on("jax")
def test_jax_checkpoints_move_between_4_devices_and_one(jax_dir):
    _check_checkpoints(jax_dir, "jax", 4)


@_only_on("tensorflow")
@pytest.mark.parametrize("name", ALL_CASES)
def test_tf_mirrored_on_2_devices_matches_one_device(tf_dir, name):
    _check_case(tf_dir, "mirrored", 2, name)


@_only_on("tensorflow")
def test_tf_checkpoints_move_between_mirrored_and_one_device(tf_dir):
    _check_checkpoints(tf_dir, "mirrored", 2)


@_only_on("tensorflow")
def test_tf_mirrored_replicas_draw_different_augmentations(tf_dir):
    _check_augmenter_draws(tf_dir, "mirrored")


@_only_on("tensorflow")
@pytest.mark.parametrize("name", ALL_CASES)
def test_tf_2_multiworker_workers_match_one_device(multiworker_dir, name):
    _check_case(multiworker_dir, "multiworker", 2, name)


@_only_on("tensorflow")
def test_tf_checkpoints_move_between_multiworker_and_one_device(multiworker_dir):
    _check_checkpoints(multiworker_dir, "multiworker", 2)


@_only_on("torch")
@pytest.mark.parametrize("name", ALL_CASES)
def test_torch_2_gloo_processes_match_one_device(torch_dir, name):
    _check_case(torch_dir, "torch", 2, name)


@_only_on("torch")
def test_torch_checkpoints_move_between_2_processes_and_one(torch_dir):
    _check_checkpoints(torch_dir, "torch", 2)


@_only_on("torch")
def test_torch_processes_draw_different_augmentations(torch_dir):
    _check_augmenter_draws(torch_dir, "torch")
