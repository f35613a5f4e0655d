"""torchvision / timm ResNet state dicts -> keras_ssl `ResNet` encoders.

The torchvision layout (`conv1`, `bn1`, `layer{1-4}.{i}.conv{1-3}`,
`bn{1-3}`, `downsample.{0,1}`, `fc`) is shared by timm's ResNets and by the
ResNet-50s of MoCo, SwAV, DINO, Barlow Twins and VICReg once their key
prefixes are removed. The depth of each stage and the block type are read
from the keys, so ResNet-18/34/50/101/152 all convert.
"""

import re

from keras_ssl.encoders.resnet import ResNet
from keras_ssl.presets.converters.state_dict_assigner import StateDictAssigner

BLOCK_KEY = re.compile(r"^layer([1-4])\.(\d+)\.")
BN_FIELDS = (
    ("gamma", "weight"),
    ("beta", "bias"),
    ("moving_mean", "running_mean"),
    ("moving_variance", "running_var"),
)


def conv_kernel(weight):
    """PyTorch `(out, in, kh, kw)` -> Keras `(kh, kw, in, out)`."""
    return weight.transpose(2, 3, 1, 0)


def infer_resnet_layout(state_dict):
    """`(blocks per stage, block type)` described by a ResNet state dict."""
    counts = [0, 0, 0, 0]
    for key in state_dict:
        match = BLOCK_KEY.match(key)
        if match:
            stage, index = int(match.group(1)), int(match.group(2))
            counts[stage - 1] = max(counts[stage - 1], index + 1)
    if 0 in counts or "conv1.weight" not in state_dict:
        raise ValueError(
            "The state dict is not a torchvision-layout ResNet: expected "
            "`conv1.weight` and keys `layer1.0.` ... `layer4.0.`. First "
            f"keys: {sorted(state_dict)[:6]}."
        )
    block_type = "bottleneck" if "layer1.0.conv3.weight" in state_dict else "basic"
    return counts, block_type


def resnet_from_state_dict(state_dict, image_shape=(224, 224, 3),
                           input_normalization="imagenet",
                           ignore_prefixes=("fc.",), source="checkpoint",
                           name="resnet"):
    """Builds the keras_ssl `ResNet` a state dict describes and loads it.

    Args:
        state_dict: dict. torchvision-layout `{name: numpy array}`.
        image_shape: tuple. Input shape of the encoder (any size works for
            a ResNet; `None` sizes too). Defaults to `(224, 224, 3)`.
        input_normalization: as for `keras_ssl.encoders.ResNet`; the
            encoder takes `[0, 255]` pixels. Defaults to `"imagenet"`.
        ignore_prefixes: tuple of str. Keys deliberately not converted.
            Defaults to `("fc.",)` (a classifier or projection head).
        source: str. Checkpoint name for error messages.
        name: str. Name of the Keras model.

    Returns:
        A functional `keras.Model` returning pooled `(batch, dim)` features.
    """
    blocks, block_type = infer_resnet_layout(state_dict)
    encoder = ResNet(
        blocks, block_type, image_shape=image_shape, stem="imagenet",
        input_normalization=input_normalization, name=name,
    )
    assigner = StateDictAssigner(state_dict, ignore_prefixes, source)
    assign_resnet(assigner, encoder, blocks, block_type)
    assigner.finish()
    return encoder


def assign_resnet(assigner, encoder, blocks, block_type, prefix=""):
    """Assigns every convolution and BatchNorm of `encoder` from `prefix`."""
    _conv_bn(assigner, encoder, "stem", f"{prefix}conv1", f"{prefix}bn1")
    convs = 3 if block_type == "bottleneck" else 2
    for stage, count in enumerate(blocks, start=1):
        for index in range(count):
            keras_name = f"stage{stage}_block{index + 1}"
            torch_name = f"{prefix}layer{stage}.{index}"
            for j in range(1, convs + 1):
                _conv_bn(
                    assigner, encoder, f"{keras_name}_{j}",
                    f"{torch_name}.conv{j}", f"{torch_name}.bn{j}",
                )
            if _has_layer(encoder, f"{keras_name}_shortcut_conv"):
                _conv_bn(
                    assigner, encoder, f"{keras_name}_shortcut",
                    f"{torch_name}.downsample.0", f"{torch_name}.downsample.1",
                )


def assign_batch_norm(assigner, layer, torch_name):
    for keras_field, torch_field in BN_FIELDS:
        assigner.assign(getattr(layer, keras_field), f"{torch_name}.{torch_field}")
    # PyTorch's step counter of the running statistics; Keras has none.
    assigner.skip(f"{torch_name}.num_batches_tracked")


def _conv_bn(assigner, encoder, keras_name, torch_conv, torch_bn):
    conv = encoder.get_layer(f"{keras_name}_conv")
    assigner.assign(conv.kernel, f"{torch_conv}.weight", conv_kernel)
    assign_batch_norm(assigner, encoder.get_layer(f"{keras_name}_bn"), torch_bn)


def _has_layer(model, name):
    return any(layer.name == name for layer in model.layers)
