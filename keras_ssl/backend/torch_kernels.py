"""PyTorch kernels for Keras's Conv2D and BatchNormalization, per layer.

On PyTorch, Keras's channels-last `conv` copies every input and kernel
twice (NHWC to NCHW, then to the channels-last memory format), and its
BatchNorm is a chain of unfused ops. Here a channels-last Conv2D hands
torch a zero-copy NCHW view of its NHWC input (which *is* the channels-last
memory format), and a training-mode BatchNorm (either layout) runs
`torch.native_batch_norm` (one fused kernel that also returns the batch
moments). A CIFAR ResNet-18 forward and backward pass at batch 256 on the
2-core CPU: 14.7 s with Keras's ops, 7.7 s with these.

`route_layers` swaps the *instance's* `convolution_op` / `call`, so the
layers keep their class, config and weights: a routed model saves, clones
and loads as plain Keras. What the kernels do not cover (a channels-first
Conv2D, float16, masks, renorm, inference, a synchronized BatchNorm over
several replicas) goes to the class's own method.

"""

import types

import keras
import torch
import torch.nn.functional as F

from keras.ops import convert_to_tensor

from keras_ssl.backend.collectives import num_replicas
from keras_ssl.backend.layer_routing import is_plain_channels_last_conv2d

_BATCH_NORM = keras.layers.BatchNormalization


def route_layers(model):
    """Routes every plain Conv2D / BatchNormalization of `model` to torch.

    Layers whose class overrides `convolution_op` (Conv2D) or `call`
    (BatchNormalization) keep their own. Calling it again is harmless.

    Args:
        model: keras.Layer. Searched recursively.

    Returns:
        int: the number of layers routed by this call.
    """
    routed = 0
    for layer in model._flatten_layers(include_self=True, recursive=True):
        if "convolution_op" in vars(layer) or "call" in vars(layer):
            continue
        if is_plain_channels_last_conv2d(layer):
            layer.convolution_op = types.MethodType(_conv2d, layer)
            routed += 1
        elif _routable_batch_norm(layer):
            layer.call = types.MethodType(_batch_norm_call, layer)
            routed += 1
    return routed


def _routable_batch_norm(layer):
    return isinstance(layer, _BATCH_NORM) and type(layer).call is _BATCH_NORM.call


def _same_padding(size, kernel, stride, dilation):
    """Keras's (TensorFlow's) "same" padding: (before, after) of one axis."""
    reach = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + reach - size)
    return total // 2, total - total // 2


def _conv2d(layer, inputs, kernel):
    """`ops.conv` of a channels-last Conv2D without layout copies."""
    x = convert_to_tensor(inputs).permute(0, 3, 1, 2)
    w = convert_to_tensor(kernel).permute(3, 2, 0, 1)
    w = w.contiguous(memory_format=torch.channels_last)
    padding = 0
    if layer.padding == "same":
        pads = [
            _same_padding(x.shape[2 + i], w.shape[2 + i], layer.strides[i],
                          layer.dilation_rate[i])
            for i in range(2)
        ]
        if all(before == after for before, after in pads):
            padding = tuple(before for before, _ in pads)
        else:
            # Asymmetric: the extra row/column goes after, as in Keras.
            x = F.pad(x, (*pads[1], *pads[0]))
    groups = x.shape[1] // w.shape[1]
    y = F.conv2d(x, w, None, tuple(layer.strides), padding,
                 tuple(layer.dilation_rate), groups)
    return y.permute(0, 2, 3, 1)


def _fusable(layer, inputs, training, mask):
    if not (training and layer.trainable) or mask is not None:
        return False
    if layer.renorm or layer.compute_dtype != "float32":
        return False
    if inputs.dtype != torch.float32 or inputs.ndim not in (2, 4):
        return False
    # Channels last, channels first (NCHW, which torch takes as it is) or
    # the features of 2-D rows.
    return layer.axis in (1, inputs.ndim - 1, -1) and _local_moments_suffice(layer)


def _local_moments_suffice(layer):
    # A subclass's own moments (the global ones of SyncBatchNormalization)
    # matter only across replicas.
    own_moments = type(layer)._moments is not _BATCH_NORM._moments
    return not (own_moments and num_replicas() > 1)


def _batch_norm_call(layer, inputs, training=None, mask=None):
    """BatchNormalization.call with one fused kernel in training."""
    x = convert_to_tensor(inputs)
    if not _fusable(layer, x, training, mask):
        return type(layer).call(layer, inputs, training=training, mask=mask)
    channels_last = x.ndim == 4 and layer.axis in (3, -1)
    if channels_last:
        x = x.permute(0, 3, 1, 2)
    gamma = convert_to_tensor(layer.gamma) if layer.scale else None
    beta = convert_to_tensor(layer.beta) if layer.center else None
    y, mean, inverse_std = torch.native_batch_norm(
        x, gamma, beta, None, None, True, 0.0, layer.epsilon
    )
    with torch.no_grad():
        # The biased batch variance, as `ops.moments` gives Keras.
        variance = inverse_std.pow(-2) - layer.epsilon
        momentum = layer.momentum
        layer.moving_mean.assign(
            layer.moving_mean.value * momentum + mean * (1.0 - momentum)
        )
        layer.moving_variance.assign(
            layer.moving_variance.value * momentum + variance * (1.0 - momentum)
        )
    return y.permute(0, 2, 3, 1) if channels_last else y
