"""FLOP counts of keras_ssl training steps and the machine's matmul peak.

Counts are analytic: 2 FLOPs per multiply-add of every `Conv2D` and `Dense`
layer; BatchNorm, activations, pooling, the loss and the optimizer update
are left out (a few percent of a convolutional network's work). A training
step costs 3x the forward FLOPs of each branch that is trained (forward,
gradient of the activations, gradient of the weights) and 1x those of a
momentum (EMA) branch, which only runs forward.
"""

import math
import os
import subprocess
import sys
import time

import numpy as np

# Views per source image through the trained branch and the momentum branch
# where they differ from `(model.num_views, model.num_views or 0)`: MoCo v2
# encodes the query view online and the key view with the momentum encoder.
BRANCH_VIEWS = {"moco_v2": (1, 1)}
TRAINED_HEADS = ("projection_head", "prediction_head")
TARGET_HEADS = ("target_projection_head",)


def layer_forward_flops(layer):
    """Forward FLOPs per sample of the `Conv2D` / `Dense` layers in `layer`.

    Convolutions need a known output shape (a functional model built on a
    fixed image size); `Dense` layers are counted as applied to one vector
    per sample, as in projection heads and pooled encoders.
    """
    import keras

    total = 0
    for sub in layer._flatten_layers(include_self=True, recursive=True):
        if isinstance(sub, keras.layers.Conv2D):
            kh, kw, cin_per_group, cout = sub.kernel.shape
            shape = sub.output.shape
            if sub.data_format == "channels_first":
                spatial = shape[2] * shape[3]
            else:
                spatial = shape[1] * shape[2]
            total += 2 * spatial * kh * kw * cin_per_group * cout
        elif isinstance(sub, keras.layers.Dense):
            total += 2 * math.prod(sub.kernel.shape)
    return int(total)


def _heads_flops(model, names):
    heads = [getattr(model, n, None) for n in names]
    return sum(layer_forward_flops(h) for h in heads if h is not None)


def train_step_flops_per_image(model, method):
    """Training FLOPs per source image of a keras_ssl two-view method.

    Returns `(flops, note)`; `note` says how the count was made.
    """
    encoder = layer_forward_flops(model.encoder)
    trained = encoder + _heads_flops(model, TRAINED_HEADS)
    has_target = getattr(model, "target_encoder", None) is not None
    target = (encoder + _heads_flops(model, TARGET_HEADS)) if has_target else 0
    default = (model.num_views, model.num_views if has_target else 0)
    online_views, target_views = BRANCH_VIEWS.get(method, default)
    flops = 3 * online_views * trained + target_views * target
    note = (
        f"3 x {online_views} view(s) x {trained / 1e6:.1f} MFLOP trained"
        + (f" + {target_views} x {target / 1e6:.1f} MFLOP momentum" if target_views else "")
    )
    return int(flops), note


def matmul_peak_flops(size=2048, repeats=5):
    """Measured dense float32 matmul FLOP/s: the best of numpy and jax."""
    a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
    results = {"numpy": _best_rate(lambda: a @ a, size, repeats)}
    try:
        import jax

        x = jax.numpy.asarray(a)
        matmul = jax.jit(lambda m: m @ m)
        matmul(x).block_until_ready()
        results["jax"] = _best_rate(
            lambda: matmul(x).block_until_ready(), size, repeats
        )
    except ImportError:
        pass
    return results


def torch_bfloat16_matmul_peak_flops(size=2048, repeats=5):
    """Measured dense bfloat16 matmul FLOP/s of torch (oneDNN; AMX if any).

    In a subprocess: torch imported beside TensorFlow in one process clashes
    (ENGINE_NOTES). None when torch is missing.
    """
    code = f"import flops; print(flops.torch_bfloat16_rate({size}, {repeats}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, cwd=os.path.dirname(os.path.abspath(__file__)))
    return float(done.stdout.strip()) if done.returncode == 0 else None


def torch_bfloat16_rate(size, repeats):
    """The bfloat16 rate itself; runs in the subprocess above."""
    import torch

    a = torch.randn(size, size, dtype=torch.bfloat16)
    return _best_rate(lambda: a @ a, size, repeats)


def _best_rate(fn, size, repeats):
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best
