"""A small convolutional encoder that trains in minutes on a CPU."""

import keras

from keras_ssl.encoders._image_input import channel_axis
from keras_ssl.encoders._image_input import rescaled_image_input
from keras_ssl.encoders._image_input import resolve_data_format
from keras_ssl.encoders.resnet import BN_EPSILON
from keras_ssl.encoders.resnet import BN_MOMENTUM


def _validate_widths(widths):
    if (
        not isinstance(widths, (tuple, list))
        or not widths
        or not all(isinstance(w, int) and w > 0 for w in widths)
    ):
        raise ValueError(
            "`widths` must be a non-empty tuple of positive ints. "
            f"Received: widths={widths!r}"
        )


def _validate_strides(strides, widths):
    if (
        not isinstance(strides, (tuple, list))
        or len(strides) != len(widths)
        or not all(isinstance(s, int) and s > 0 for s in strides)
    ):
        raise ValueError(
            "`strides` must be a tuple of positive ints, one per entry of "
            f"`widths` ({len(widths)}). Received: strides={strides!r}"
        )


def _validate_output_dim(output_dim):
    if output_dim is not None and (
        not isinstance(output_dim, int) or output_dim < 1
    ):
        raise ValueError(
            "`output_dim` must be a positive int or None. "
            f"Received: output_dim={output_dim!r}"
        )


def _conv_initializer():
    # Uniform in +-1/sqrt(fan_in), PyTorch's Conv2d default. Each convolution
    # feeds a BatchNorm, so the kernel's scale only sets how far one Adam
    # step moves it: he_normal kernels (2.4x larger) learned markedly
    # slower (SimCLR kNN on `shapes` after 10 epochs: 47% vs 60%).
    return keras.initializers.VarianceScaling(
        scale=1.0 / 3.0, mode="fan_in", distribution="uniform"
    )


def SmallCNN(image_shape=(32, 32, 3), widths=(32, 64, 128, 256),
             strides=None, output_dim=None, data_format=None,
             name="small_cnn"):
    """Builds a small conv encoder: conv-BN-ReLU stages and average pooling.

    Stage `i` is one 3x3 convolution with `widths[i]` filters and stride
    `strides[i]`, BatchNorm and ReLU. The defaults take 32x32 images to
    16x16x32, 8x8x64, 4x4x128 and 4x4x256 maps, pooled to a 256-d vector:
    about 390k parameters and 7M multiply-adds per image (ResNet-18 CIFAR:
    11.2M and 560M): forward and backward passes over 512 images of 32x32
    (a SimCLR batch of 2 x 256 views) take about one CPU-second. It is meant
    for unit tests, smoke runs and CPU-sized experiments;
    `strides=(1, 2, 2, 2)` keeps the full resolution in the first stage, for
    about 3x the time.

    Inputs are float images with values in `[0, 255]` (the output range of
    the keras_ssl augmentations); the model starts with a
    `Rescaling(1 / 255)`, like the keras_ssl ResNets.

    Args:
        image_shape: tuple. `(height, width, channels)`, or
            `(channels, height, width)` when `data_format` is
            `"channels_first"`. Defaults to `(32, 32, 3)`.
        widths: tuple of ints. Filters of each stage; its length is the
            number of stages. Defaults to `(32, 64, 128, 256)`.
        strides: tuple of ints or None. Stride of each stage's convolution,
            one per entry of `widths`; `None` means 2 for every stage but
            the last, which keeps the resolution: `(2, 2, 2, 1)` for four
            stages. Defaults to `None`.
        output_dim: int or None. When set, a linear `Dense(output_dim)`
            follows the pooling; otherwise the output is `widths[-1]`-d.
            Defaults to `None`.
        data_format: str. `"channels_last"` or `"channels_first"`; `None`
            means `keras.config.image_data_format()`. Defaults to `None`.
        name: str. The name of the model. Defaults to `"small_cnn"`.

    Returns:
        A functional `keras.Model` built from Keras layers only: it saves to
        `.keras` and loads without keras_ssl.

    Example:

    ```python
    encoder = keras_ssl.encoders.SmallCNN(image_shape=(32, 32, 3))
    features = encoder(np.zeros((8, 32, 32, 3), "float32"))  # (8, 256)
    ```
    """
    _validate_widths(widths)
    if strides is None:
        strides = (2,) * (len(widths) - 1) + (1,)
    _validate_strides(strides, widths)
    _validate_output_dim(output_dim)
    data_format = resolve_data_format(data_format)
    inputs, x = rescaled_image_input(image_shape)
    for stage, (width, stride) in enumerate(zip(widths, strides), start=1):
        x = keras.layers.Conv2D(
            width,
            3,
            strides=stride,
            padding="same",
            use_bias=False,
            kernel_initializer=_conv_initializer(),
            data_format=data_format,
            name=f"stage{stage}_conv",
        )(x)
        x = keras.layers.BatchNormalization(
            axis=channel_axis(data_format),
            momentum=BN_MOMENTUM,
            epsilon=BN_EPSILON,
            name=f"stage{stage}_bn",
        )(x)
        x = keras.layers.ReLU(name=f"stage{stage}_relu")(x)
    x = keras.layers.GlobalAveragePooling2D(
        data_format=data_format, name="pool"
    )(x)
    if output_dim is not None:
        x = keras.layers.Dense(output_dim, name="output_dense")(x)
    return keras.Model(inputs, x, name=name)
