"""The benchmark scripts' helpers: FLOP counts, timing, argument parsing.

These run without lightly; the lightly side is exercised by the benchmarks
themselves (`benchmarks/speed.py --quick`).
"""

import os
import sys

import keras
import pytest

from keras_ssl import encoders
from keras_ssl import pipeline

BENCHMARKS = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks")
sys.path.insert(0, os.path.abspath(BENCHMARKS))

import flops  # noqa: E402
import speed  # noqa: E402


def _conv_flops(out_side, k, cin, cout):
    return 2 * out_side * out_side * k * k * cin * cout


def test_small_cnn_forward_flops_match_a_hand_count():
    # 32x32 input; strides 2, 2, 2, 1 -> 16, 8, 4, 4 pixels per side.
    expected = (
        _conv_flops(16, 3, 3, 32)
        + _conv_flops(8, 3, 32, 64)
        + _conv_flops(4, 3, 64, 128)
        + _conv_flops(4, 3, 128, 256)
    )
    assert expected == 14_598_144
    assert flops.layer_forward_flops(encoders.SmallCNN((32, 32, 3))) == expected


def test_dense_layers_count_two_flops_per_weight():
    inputs = keras.Input((16,))
    outputs = keras.layers.Dense(4)(keras.layers.Dense(8)(inputs))
    model = keras.Model(inputs, outputs)
    assert flops.layer_forward_flops(model) == 2 * (16 * 8 + 8 * 4)


def test_train_step_flops_of_moco_count_one_view_per_branch():
    model = pipeline.build_method("moco_v2", (32, 32, 3), "small_cnn")
    encoder = 14_598_144
    head = 2 * (256 * 512 + 512 * 128)
    count, note = flops.train_step_flops_per_image(model, "moco_v2")
    assert count == 3 * (encoder + head) + (encoder + head)
    assert "momentum" in note


def test_median_throughput_skips_the_warmup_steps():
    # End times: step 0 (compilation) ends at 50 s; step 1 takes 10 s.
    ends = [50.0, 60.0, 61.0, 62.5, 63.5]
    assert speed.median_throughput(ends, 100, warmup=1) == pytest.approx(80.0)
    assert speed.median_throughput(ends, 100, warmup=2) == pytest.approx(100.0)
    with pytest.raises(ValueError, match="No timed steps"):
        speed.median_throughput(ends[:2], 100, warmup=2)


def test_quick_run_is_one_small_configuration_per_mode():
    args = speed.parse_args(["--quick"])
    configs = speed.configurations(args)
    assert [(c["method"], c["encoder"], c["batch"]) for c in configs] == [
        ("simclr", "small_cnn", 128)
    ] * 2
    assert {c["mode"] for c in configs} == {"augment", "views"}


def test_default_run_covers_every_configuration():
    configs = speed.configurations(speed.parse_args([]))
    # 3 methods x 2 batches x (2 modes for the SmallCNN, 1 for ResNet-18).
    assert len(configs) == 18
    resnet = [c for c in configs if c["encoder"] == "resnet18"]
    assert {c["mode"] for c in resnet} == {"augment"}
    assert all(c["steps"] == 2 and c["warmup"] == 1 for c in resnet)


def test_zero_warmup_is_rejected():
    with pytest.raises(SystemExit):
        speed.parse_args(["--warmup", "0"])


def test_lightly_threads_default_to_the_torch_threads():
    args = speed.parse_args(["--torch-threads", "2"])
    assert speed.torch_threads(args, "lightly") == 2
    assert speed.torch_threads(args, "torch") == 2
    args = speed.parse_args(["--torch-threads", "2", "--lightly-threads", "1"])
    assert speed.torch_threads(args, "lightly") == 1
    assert speed.torch_threads(args, "torch") == 2
    assert speed.torch_threads(speed.parse_args([]), "torch") is None


def test_precision_reaches_every_configuration():
    configs = speed.configurations(speed.parse_args(["--precision", "mixed_bfloat16"]))
    assert {c["precision"] for c in configs} == {"mixed_bfloat16"}
    assert {c["precision"] for c in speed.configurations(speed.parse_args([]))} == {"float32"}
    with pytest.raises(SystemExit):
        speed.parse_args(["--precision", "float16"])
