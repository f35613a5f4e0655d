"""The input convention shared by every encoder built in this package.

Encoders take float images with values in `[0, 255]` (what the augmentations
of keras_ssl output, and what raw `uint8` data becomes after a cast) and
begin with a `keras.layers.Rescaling(1 / 255)`, so no caller has to remember
to normalise. Batch normalisation after the first convolution absorbs any
remaining offset or scale of the inputs.
"""

import keras

STEMS = ("cifar", "imagenet")
DATA_FORMATS = ("channels_last", "channels_first")


def resolve_data_format(data_format):
    """Returns `data_format`, or Keras's global default when it is `None`."""
    if data_format is None:
        return keras.config.image_data_format()
    if data_format not in DATA_FORMATS:
        raise ValueError(
            f"`data_format` must be one of {DATA_FORMATS} or None. "
            f"Received: data_format={data_format!r}"
        )
    return data_format


def channel_axis(data_format):
    """Returns the axis of the channels of a rank-4 batch in `data_format`."""
    return -1 if data_format == "channels_last" else 1


def validate_image_shape(image_shape):
    """Returns `image_shape` as a tuple, raising if it is not 3 sizes."""
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 3:
        raise ValueError(
            "`image_shape` must be a tuple of 3 sizes, (height, width, "
            "channels) or (channels, height, width) for channels_first. "
            f"Received: image_shape={image_shape!r}"
        )
    for size in image_shape:
        if size is not None and (not isinstance(size, int) or size < 1):
            raise ValueError(
                "Every entry of `image_shape` must be a positive int or "
                f"None. Received: image_shape={image_shape!r}"
            )
    return tuple(image_shape)


# The per-channel statistics that torchvision / timm ImageNet models expect
# after scaling pixels to [0, 1].
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def resolve_input_normalization(input_normalization):
    """Returns `(mean, std)` tuples, or None for plain `[0, 1]` scaling."""
    if input_normalization is None:
        return None
    if input_normalization == "imagenet":
        return IMAGENET_MEAN, IMAGENET_STD
    if (
        isinstance(input_normalization, (tuple, list))
        and len(input_normalization) == 2
        and all(isinstance(s, (tuple, list)) for s in input_normalization)
        and len(input_normalization[0]) == len(input_normalization[1])
        and all(v > 0 for v in input_normalization[1])
    ):
        mean, std = input_normalization
        return tuple(float(m) for m in mean), tuple(float(v) for v in std)
    raise ValueError(
        "`input_normalization` must be None, 'imagenet' or a (mean, std) "
        "pair of per-channel tuples with std > 0. Received: "
        f"input_normalization={input_normalization!r}"
    )


def rescaled_image_input(image_shape, input_normalization=None,
                         data_format="channels_last"):
    """Returns `(inputs, x)`: the image `Input` and its `[0, 1]` rescaling.

    With `input_normalization`, a `Normalization` layer then maps each
    channel to `(x - mean) / std`, the input convention of networks
    converted from PyTorch checkpoints.
    """
    inputs = keras.Input(shape=validate_image_shape(image_shape), name="images")
    x = keras.layers.Rescaling(1.0 / 255.0, name="rescale")(inputs)
    statistics = resolve_input_normalization(input_normalization)
    if statistics is not None:
        mean, std = statistics
        x = keras.layers.Normalization(
            axis=channel_axis(data_format),
            mean=list(mean),
            variance=[s * s for s in std],
            name="normalize",
        )(x)
    return inputs, x
