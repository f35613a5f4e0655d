"""ResNet-18/34/50 encoders with a CIFAR or an ImageNet stem."""

import keras

from keras_ssl.encoders._image_input import STEMS
from keras_ssl.encoders._image_input import channel_axis
from keras_ssl.encoders._image_input import rescaled_image_input
from keras_ssl.encoders._image_input import resolve_data_format

STAGE_FILTERS = (64, 128, 256, 512)
BOTTLENECK_EXPANSION = 4
# PyTorch's BatchNorm defaults (momentum 0.1 there is 0.9 here): the moving
# statistics keep up with the short schedules of SSL pre-training, and
# weights converted from PyTorch checkpoints keep their meaning.
BN_MOMENTUM = 0.9
BN_EPSILON = 1e-5


def _conv_initializer():
    # He initialisation over fan-out, as in the original ResNet code.
    return keras.initializers.VarianceScaling(
        scale=2.0, mode="fan_out", distribution="untruncated_normal"
    )


def _conv_bn(x, filters, kernel_size, strides, data_format, name, relu=True,
             zero_gamma=False):
    """Conv (no bias) -> BatchNorm -> optional ReLU."""
    padding = "same"
    if strides > 1 and kernel_size > 1:
        # Symmetric explicit padding: "same" pads only the bottom/right on
        # even inputs, which would shift every strided window by one pixel
        # against the reference (PyTorch) architecture.
        x = keras.layers.ZeroPadding2D(
            kernel_size // 2, data_format=data_format, name=f"{name}_pad"
        )(x)
        padding = "valid"
    x = keras.layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=False,
        kernel_initializer=_conv_initializer(),
        data_format=data_format,
        name=f"{name}_conv",
    )(x)
    x = keras.layers.BatchNormalization(
        axis=channel_axis(data_format),
        momentum=BN_MOMENTUM,
        epsilon=BN_EPSILON,
        gamma_initializer="zeros" if zero_gamma else "ones",
        name=f"{name}_bn",
    )(x)
    if relu:
        x = keras.layers.ReLU(name=f"{name}_relu")(x)
    return x


def _shortcut(x, out_channels, strides, data_format, name):
    """Identity, or a 1x1 projection when the shape changes."""
    if strides == 1 and x.shape[channel_axis(data_format)] == out_channels:
        return x
    return _conv_bn(
        x, out_channels, 1, strides, data_format, f"{name}_shortcut", relu=False
    )


def _basic_block(x, filters, strides, zero_init_residual, data_format, name):
    """Two 3x3 convolutions plus the shortcut (ResNet-18/34)."""
    shortcut = _shortcut(x, filters, strides, data_format, name)
    y = _conv_bn(x, filters, 3, strides, data_format, f"{name}_1")
    y = _conv_bn(
        y, filters, 3, 1, data_format, f"{name}_2", relu=False,
        zero_gamma=zero_init_residual,
    )
    x = keras.layers.Add(name=f"{name}_add")([shortcut, y])
    return keras.layers.ReLU(name=f"{name}_out")(x)


def _bottleneck_block(x, filters, strides, zero_init_residual, data_format,
                      name):
    """1x1 reduce, 3x3 (strided, as in "ResNet v1.5"), 1x1 expand (ResNet-50)."""
    out_channels = filters * BOTTLENECK_EXPANSION
    shortcut = _shortcut(x, out_channels, strides, data_format, name)
    y = _conv_bn(x, filters, 1, 1, data_format, f"{name}_1")
    y = _conv_bn(y, filters, 3, strides, data_format, f"{name}_2")
    y = _conv_bn(
        y, out_channels, 1, 1, data_format, f"{name}_3", relu=False,
        zero_gamma=zero_init_residual,
    )
    x = keras.layers.Add(name=f"{name}_add")([shortcut, y])
    return keras.layers.ReLU(name=f"{name}_out")(x)


def _stem(x, stem, data_format):
    if stem == "cifar":
        return _conv_bn(x, STAGE_FILTERS[0], 3, 1, data_format, "stem")
    x = _conv_bn(x, STAGE_FILTERS[0], 7, 2, data_format, "stem")
    # Zero padding equals PyTorch's -inf padding here: inputs are post-ReLU.
    x = keras.layers.ZeroPadding2D(
        1, data_format=data_format, name="stem_pool_pad"
    )(x)
    return keras.layers.MaxPooling2D(
        3, strides=2, data_format=data_format, name="stem_pool"
    )(x)


def _build_resnet(block, stackwise_num_blocks, image_shape, stem,
                  include_pooling, zero_init_residual, data_format, name,
                  input_normalization=None):
    """The shared builder behind `ResNet18`, `ResNet34` and `ResNet50`."""
    if stem not in STEMS:
        raise ValueError(
            f"`stem` must be one of {STEMS}. Received: stem={stem!r}"
        )
    data_format = resolve_data_format(data_format)
    inputs, x = rescaled_image_input(image_shape, input_normalization, data_format)
    x = _stem(x, stem, data_format)
    for stage, (filters, num_blocks) in enumerate(
        zip(STAGE_FILTERS, stackwise_num_blocks), start=1
    ):
        for index in range(num_blocks):
            strides = 2 if stage > 1 and index == 0 else 1
            x = block(
                x, filters, strides, zero_init_residual, data_format,
                name=f"stage{stage}_block{index + 1}",
            )
    if include_pooling:
        x = keras.layers.GlobalAveragePooling2D(
            data_format=data_format, name="pool"
        )(x)
    return keras.Model(inputs, x, name=name)


_ARGS_DOC = """
    Inputs are float images with values in `[0, 255]` (the output range of
    the keras_ssl augmentations); the model starts with a
    `Rescaling(1 / 255)`. Convolutions have no bias and are followed by
    BatchNorm (momentum 0.9, epsilon 1e-5) and ReLU; strided 3x3
    convolutions pad symmetrically so the network matches the reference
    PyTorch architecture layer for layer.

    Args:
        image_shape: tuple. `(height, width, channels)`, or
            `(channels, height, width)` when `data_format` is
            `"channels_first"`; `None` sizes accept any size.
            Defaults to `(32, 32, 3)`.
        stem: str. `"cifar"`: one 3x3 convolution with stride 1 and no
            max-pooling, as in SimCLR's CIFAR-10 experiments. `"imagenet"`:
            a 7x7 convolution with stride 2 then a 3x3 max-pool with stride 2.
            Defaults to `"cifar"`.
        include_pooling: bool. Whether to end with global average pooling
            (output `(batch, {dim})`) or return the last feature map.
            Defaults to `True`.
        zero_init_residual: bool. Whether the last BatchNorm of each residual
            branch starts with gamma = 0, so every block starts as the
            identity. Defaults to `False`.
        data_format: str. `"channels_last"` or `"channels_first"`; `None`
            means `keras.config.image_data_format()`. Defaults to `None`.
        name: str. The name of the model. Defaults to `"{name}"`.
        input_normalization: None, `"imagenet"` or a `(mean, std)` pair of
            per-channel tuples. When set, pixels scaled to `[0, 1]` are
            then normalised per channel, as torchvision / timm networks
            expect (checkpoint converters build with `"imagenet"`).
            Defaults to `None`.

    Returns:
        A functional `keras.Model` built from Keras layers only: it saves to
        `.keras` and loads without keras_ssl.
"""


def ResNet18(image_shape=(32, 32, 3), stem="cifar", include_pooling=True,
             zero_init_residual=False, data_format=None, name="resnet18",
             input_normalization=None):
    return _build_resnet(
        _basic_block, (2, 2, 2, 2), image_shape, stem, include_pooling,
        zero_init_residual, data_format, name, input_normalization,
    )


def ResNet34(image_shape=(32, 32, 3), stem="cifar", include_pooling=True,
             zero_init_residual=False, data_format=None, name="resnet34",
             input_normalization=None):
    return _build_resnet(
        _basic_block, (3, 4, 6, 3), image_shape, stem, include_pooling,
        zero_init_residual, data_format, name, input_normalization,
    )


def ResNet50(image_shape=(32, 32, 3), stem="cifar", include_pooling=True,
             zero_init_residual=False, data_format=None, name="resnet50",
             input_normalization=None):
    return _build_resnet(
        _bottleneck_block, (3, 4, 6, 3), image_shape, stem, include_pooling,
        zero_init_residual, data_format, name, input_normalization,
    )


BLOCK_TYPES = {"basic": _basic_block, "bottleneck": _bottleneck_block}


def ResNet(stackwise_num_blocks, block_type="bottleneck", image_shape=(224, 224, 3),
           stem="imagenet", include_pooling=True, zero_init_residual=False,
           data_format=None, name="resnet", input_normalization=None):
    """Builds a ResNet of any depth: `stackwise_num_blocks` blocks per stage.

    `ResNet([3, 4, 23, 3])` is a ResNet-101. The four stages have 64, 128,
    256 and 512 filters (times 4 at the output of bottleneck blocks).
    Checkpoint converters build the network a state dict describes with it.

    Args:
        stackwise_num_blocks: list of 4 ints. Blocks in each stage.
        block_type: str. `"basic"` (two 3x3 convolutions, ResNet-18/34) or
            `"bottleneck"` (1x1-3x3-1x1, ResNet-50 and deeper). Defaults to
            `"bottleneck"`.
        image_shape, stem, include_pooling, zero_init_residual,
        data_format, name, input_normalization: as for `ResNet50`; here
            `image_shape` defaults to `(224, 224, 3)` and `stem` to
            `"imagenet"`.

    Returns:
        A functional `keras.Model` built from Keras layers only.
    """
    if block_type not in BLOCK_TYPES:
        raise ValueError(
            f"`block_type` must be one of {sorted(BLOCK_TYPES)}. Received: "
            f"block_type={block_type!r}"
        )
    if (
        not isinstance(stackwise_num_blocks, (tuple, list))
        or len(stackwise_num_blocks) != 4
        or not all(isinstance(n, int) and n >= 1 for n in stackwise_num_blocks)
    ):
        raise ValueError(
            "`stackwise_num_blocks` must be 4 ints >= 1. Received: "
            f"stackwise_num_blocks={stackwise_num_blocks!r}"
        )
    return _build_resnet(
        BLOCK_TYPES[block_type], tuple(stackwise_num_blocks), image_shape, stem,
        include_pooling, zero_init_residual, data_format, name,
        input_normalization,
    )


ResNet18.__doc__ = (
    """Builds a ResNet-18 encoder: basic blocks [2, 2, 2, 2], 512-d output.

    About 11.2M parameters (11,168,832 trainable, 11,178,432 with the
    BatchNorm statistics, with the CIFAR stem).
"""
    + _ARGS_DOC.format(dim=512, name="resnet18")
    + """
    Example:

    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    features = encoder(np.zeros((8, 32, 32, 3), "float32"))  # (8, 512)
    ```

    Reference:
        - [He et al., 2016](https://arxiv.org/abs/1512.03385)
        - [Chen et al., 2020](https://arxiv.org/abs/2002.05709)
    """
)
ResNet34.__doc__ = (
    """Builds a ResNet-34 encoder: basic blocks [3, 4, 6, 3], 512-d output.

    About 21.3M parameters (21,284,672 with the ImageNet stem).
"""
    + _ARGS_DOC.format(dim=512, name="resnet34")
    + """
    Example:

    ```python
    encoder = keras_ssl.encoders.ResNet34(image_shape=(32, 32, 3))
    features = encoder(np.zeros((8, 32, 32, 3), "float32"))  # (8, 512)
    ```

    Reference:
        - [He et al., 2016](https://arxiv.org/abs/1512.03385)
    """
)
ResNet50.__doc__ = (
    """Builds a ResNet-50 encoder: bottleneck blocks [3, 4, 6, 3], 2048-d output.

    About 23.5M parameters (23,508,032 with the ImageNet stem, the standard
    ResNet-50 without its classifier).
"""
    + _ARGS_DOC.format(dim=2048, name="resnet50")
    + """
    Example:

    ```python
    encoder = keras_ssl.encoders.ResNet50(
        image_shape=(224, 224, 3), stem="imagenet"
    )
    features = encoder(np.zeros((2, 224, 224, 3), "float32"))  # (2, 2048)
    ```

    Reference:
        - [He et al., 2016](https://arxiv.org/abs/1512.03385)
    """
)
