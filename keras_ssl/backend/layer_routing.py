"""What the per-backend kernel routers (`jax_kernels`, `torch_kernels`) share."""

import keras

_CONV_OP = keras.layers.Conv2D.convolution_op


def is_plain_channels_last_conv2d(layer):
    """A Conv2D that runs Keras's own `convolution_op` on channels-last data.

    A subclass with its own `convolution_op` keeps it: it may compute
    something other than the convolution the routed kernels implement.
    """
    return (
        isinstance(layer, keras.layers.Conv2D)
        and type(layer).convolution_op is _CONV_OP
        and layer.data_format == "channels_last"
    )
