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


def rescaled_image_input(image_shape):
    """Returns `(inputs, x)`: the image `Input` and its `[0, 1]` rescaling."""
    inputs = keras.Input(shape=validate_image_shape(image_shape), name="images")
    x = keras.layers.Rescaling(1.0 / 255.0, name="rescale")(inputs)
    return inputs, x
