"""Time each convolution of an encoder on every backend, forward and backward.

The SmallCNN's training step is almost all convolution, so a backend's speed
on it is the speed of its convolution kernels. For each distinct convolution
of the encoder (SmallCNN or the CIFAR ResNet-18, channels_last, "same"
padding) this times `keras.ops.conv` on each Keras backend, keras_ssl's
routed JAX convolution (`jax_routed`: what `keras_ssl.backend.jax_kernels`
routes Conv2D layers to, Winograd on stride-1 3x3 layers, elsewhere XLA's
with an im2col kernel gradient; named `jax_im2col` before 2026-12-07's
Winograd change), and PyTorch's
`conv2d` on NCHW tensors (what lightly's torchvision models run): the
forward pass, and forward plus backward (the gradient of the kernel, and of
the input for every layer but the first, whose input is data). Each library
runs in its own process with 2 threads (torch) or its own thread pool.

    python benchmarks/conv_layers.py --encoder small_cnn --batch 512
    python benchmarks/conv_layers.py --encoder resnet18 --batch 256

Prints a markdown table of milliseconds (median of `--repeats` calls after
two warm-up calls) and, per library, the network's total: each layer's time
times the number of such layers in the encoder.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

LIBRARIES = ("torch_nchw", "jax", "jax_routed", "tensorflow", "torch")

# (input size, input channels, output channels, kernel, stride, count): the
# distinct convolutions of each encoder at 32x32 and how often they occur.
ENCODER_CONVS = {
    "small_cnn": [
        (32, 3, 32, 3, 2, 1),
        (16, 32, 64, 3, 2, 1),
        (8, 64, 128, 3, 2, 1),
        (4, 128, 256, 3, 1, 1),
    ],
    "resnet18": [
        (32, 3, 64, 3, 1, 1),
        (32, 64, 64, 3, 1, 4),
        (32, 64, 128, 3, 2, 1),
        (32, 64, 128, 1, 2, 1),
        (16, 128, 128, 3, 1, 3),
        (16, 128, 256, 3, 2, 1),
        (16, 128, 256, 1, 2, 1),
        (8, 256, 256, 3, 1, 3),
        (8, 256, 512, 3, 2, 1),
        (8, 256, 512, 1, 2, 1),
        (4, 512, 512, 3, 1, 3),
    ],
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoder", default="small_cnn",
                        choices=sorted(ENCODER_CONVS))
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--libraries", nargs="+", default=list(LIBRARIES),
                        choices=LIBRARIES)
    parser.add_argument("--worker", choices=LIBRARIES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.batch < 1 or args.repeats < 1:
        parser.error(f"--batch and --repeats must be positive; received "
                     f"--batch {args.batch} --repeats {args.repeats}")
    return args


def median_ms(fn, repeats):
    fn()
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def torch_nchw_timers(x, kernel, cotangent, stride, input_grad):
    """Forward and backward closures of torch's conv2d on NCHW tensors."""
    import torch

    x = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())
    w = torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy())
    dy = torch.from_numpy(cotangent.transpose(0, 3, 1, 2).copy())
    x.requires_grad_(input_grad)
    w.requires_grad_(True)
    pad = w.shape[-1] // 2

    def forward():
        with torch.no_grad():
            torch.nn.functional.conv2d(x, w, stride=stride, padding=pad)

    def backward():
        y = torch.nn.functional.conv2d(x, w, stride=stride, padding=pad)
        y.backward(dy)

    return forward, backward


def keras_timers(x, kernel, cotangent, stride, input_grad, routed=False):
    """Forward and backward closures of `keras.ops.conv` on this backend
    (with `routed`, of `jax_kernels.conv2d`)."""
    import keras

    backend = keras.backend.backend()
    x, w, dy = (keras.ops.convert_to_tensor(a) for a in (x, kernel, cotangent))

    def conv(x, w):
        if routed:
            from keras_ssl.backend import jax_kernels

            pads = jax_kernels.keras_padding(
                x.shape[1:3], w.shape[:2], (stride, stride), "same")
            return jax_kernels.conv2d(x, w, (stride, stride), pads)
        return keras.ops.conv(x, w, strides=stride, padding="same")

    if backend == "jax":
        import jax

        argnums = (0, 1) if input_grad else (1,)
        fwd = jax.jit(conv)
        # value_and_grad: the loss keeps the forward pass, which the
        # gradients alone do not need (XLA would drop it).
        grad = jax.jit(jax.value_and_grad(
            lambda x, w: (conv(x, w) * dy).sum(), argnums))
        return (lambda: fwd(x, w).block_until_ready(),
                lambda: jax.block_until_ready(grad(x, w)))
    if backend == "tensorflow":
        import tensorflow as tf

        fwd = tf.function(conv, jit_compile=False)

        @tf.function
        def grad(x, w):
            with tf.GradientTape() as tape:
                tape.watch([x, w])
                loss = tf.reduce_sum(conv(x, w) * dy)
            # The loss is returned so that the forward pass is not pruned.
            return [loss, *tape.gradient(loss, [x, w] if input_grad else [w])]

        return (lambda: fwd(x, w).numpy(), lambda: [g.numpy() for g in grad(x, w)])
    import torch

    x.requires_grad_(input_grad)
    w.requires_grad_(True)

    def forward():
        with torch.no_grad():
            conv(x, w)

    return forward, lambda: conv(x, w).backward(dy)


def run_worker(args):
    import numpy as np

    if args.worker.startswith("torch"):
        import torch

        torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    rows = []
    for index, (size, cin, cout, k, stride, _) in enumerate(ENCODER_CONVS[args.encoder]):
        out = -(-size // stride)
        x = rng.standard_normal((args.batch, size, size, cin), "float32")
        kernel = rng.standard_normal((k, k, cin, cout), "float32")
        cotangent = rng.standard_normal((args.batch, out, out, cout), "float32")
        if args.worker == "torch_nchw":
            timers = torch_nchw_timers(x, kernel, cotangent, stride, index > 0)
        else:
            timers = keras_timers(x, kernel, cotangent, stride, index > 0,
                                  routed=args.worker == "jax_routed")
        forward, backward = timers
        rows.append([median_ms(forward, args.repeats),
                     median_ms(backward, args.repeats)])
    print("RESULT " + json.dumps(rows), flush=True)


def run_library(library, args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    if library != "torch_nchw":
        env["KERAS_BACKEND"] = library.replace("_routed", "")
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (root, env.get("PYTHONPATH")) if p)
    command = [sys.executable, os.path.abspath(__file__), "--worker", library,
               "--encoder", args.encoder, "--batch", str(args.batch),
               "--repeats", str(args.repeats)]
    output = subprocess.run(command, env=env, capture_output=True, text=True,
                            check=True).stdout
    line = [l for l in output.splitlines() if l.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def table(args, results):
    libs = list(results)
    head = " | ".join(f"{lib} fwd / fwd+bwd ms" for lib in libs)
    lines = [f"| conv (size, in, out, kernel, stride) x count | {head} |",
             "|---" * (1 + len(libs)) + "|"]
    convs = ENCODER_CONVS[args.encoder]
    for i, (size, cin, cout, k, stride, count) in enumerate(convs):
        cells = " | ".join(f"{results[l][i][0]:.1f} / {results[l][i][1]:.1f}"
                           for l in libs)
        lines.append(f"| {size}x{size}, {cin}->{cout}, {k}x{k}, s{stride} x "
                     f"{count} | {cells} |")
    totals = []
    for lib in libs:
        fwd = sum(c[-1] * r[0] for c, r in zip(convs, results[lib]))
        bwd = sum(c[-1] * r[1] for c, r in zip(convs, results[lib]))
        totals.append(f"**{fwd:.0f} / {bwd:.0f}**")
    lines.append(f"| network total | {' | '.join(totals)} |")
    return "\n".join(lines)


def main():
    args = parse_args()
    if args.worker:
        return run_worker(args)
    results = {}
    for library in args.libraries:
        results[library] = run_library(library, args)
        print(f"# {library} done", flush=True)
    print(f"{args.encoder}, batch {args.batch}, channels_last (torch_nchw: "
          f"NCHW), median of {args.repeats} calls, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(table(args, results))


if __name__ == "__main__":
    main()
