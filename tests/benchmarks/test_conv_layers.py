"""benchmarks/conv_layers.py: its layer lists, argument checks and table."""

import collections
import os
import sys

import keras
import pytest

from keras_ssl import encoders

BENCHMARKS = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks")
sys.path.insert(0, os.path.abspath(BENCHMARKS))

import conv_layers  # noqa: E402


def _distinct_convs(model):
    counts = collections.Counter()
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.Conv2D):
            k, _, cin, cout = layer.kernel.shape
            stride = layer.strides[0]
            size = layer.output.shape[1] * stride
            counts[(size, cin, cout, k, stride)] += 1
    return counts


@pytest.mark.parametrize(
    "name, build",
    [("small_cnn", encoders.SmallCNN), ("resnet18", encoders.ResNet18)],
)
def test_layer_lists_match_the_encoders(name, build):
    model = build(image_shape=(32, 32, 3), data_format="channels_last")
    listed = {tuple(c[:5]): c[5] for c in conv_layers.ENCODER_CONVS[name]}
    assert listed == dict(_distinct_convs(model))


def test_non_positive_batch_is_rejected(capsys):
    with pytest.raises(SystemExit):
        conv_layers.parse_args(["--batch", "0"])
    assert "--batch 0" in capsys.readouterr().err


def test_network_total_weights_each_layer_by_its_count():
    args = conv_layers.parse_args(["--encoder", "resnet18"])
    convs = conv_layers.ENCODER_CONVS["resnet18"]
    results = {"jax": [[1.0, 10.0]] * len(convs)}
    total = sum(c[5] for c in convs)
    assert total == 20  # ResNet-18's 17 3x3 convolutions and 3 shortcuts.
    assert f"**{total} / {10 * total}**" in conv_layers.table(args, results)
