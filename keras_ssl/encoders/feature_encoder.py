"""Adapts any image model (keras_hub backbones included) to a (B, D) encoder."""

import keras

from keras_ssl.encoders._image_input import resolve_data_format
from keras_ssl.encoders._image_input import validate_image_shape

TOKEN_POOLINGS = ("class", "mean")


def _model_image_shape(model):
    """Returns the image shape (no batch axis) `model` declares, or `None`.

    Subclassed models that were never called declare no input.
    """
    try:
        inputs = model.inputs
    except AttributeError:
        return None
    if not inputs:
        return None
    if len(inputs) != 1:
        raise ValueError(
            "The encoder must take a single image input. Received: a model "
            f"{model.name!r} with {len(inputs)} inputs: "
            f"{[tuple(i.shape) for i in inputs]}"
        )
    return tuple(inputs[0].shape[1:])


def _shapes_match(expected, given):
    if len(expected) != len(given):
        return False
    # `None` on either side is a size fixed only at call time.
    return all(
        e is None or g is None or e == g for e, g in zip(expected, given)
    )


def check_image_shape(encoder, image_shape):
    """Raises a `ValueError` when `encoder` cannot take images of `image_shape`.

    Compares the shape of the encoder's image input (without the batch axis)
    with `image_shape`; a `None` size on either side matches any size. Call
    it before training to turn a channel-count or size mismatch into a clear
    message instead of a shape error deep inside the first convolution. An
    encoder that declares no input (a subclassed model never called) cannot
    be checked and passes.

    Args:
        encoder: `keras.Model`. The image encoder.
        image_shape: tuple. Shape of one image, e.g. `(32, 32, 3)`.

    Example:

    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    keras_ssl.encoders.check_image_shape(encoder, (32, 32, 3))  # passes
    keras_ssl.encoders.check_image_shape(encoder, (32, 32, 1))  # ValueError
    ```
    """
    image_shape = validate_image_shape(image_shape)
    expected = _model_image_shape(encoder)
    if expected is None or _shapes_match(expected, image_shape):
        return
    raise ValueError(
        f"The encoder {encoder.name!r} expects images of shape {expected} "
        f"(without the batch axis), but the images have shape {image_shape}. "
        "Build the encoder with `image_shape` equal to the shape of the "
        "images (mind the channel count and the data format)."
    )


def _validate_arguments(model, token_pooling):
    if not isinstance(model, keras.Model):
        raise TypeError(
            "`model` must be a `keras.Model`. Received: "
            f"model={model!r} of type {type(model).__name__}"
        )
    if token_pooling not in TOKEN_POOLINGS:
        raise ValueError(
            f"`token_pooling` must be one of {TOKEN_POOLINGS}. "
            f"Received: token_pooling={token_pooling!r}"
        )


def _resolve_image_shape(model, image_shape):
    if image_shape is not None:
        check_image_shape(model, image_shape)
        return validate_image_shape(image_shape)
    declared = _model_image_shape(model)
    if declared is None:
        raise ValueError(
            f"The model {model.name!r} declares no input shape; pass "
            "`image_shape`, e.g. `image_shape=(32, 32, 3)`. "
            "Received: image_shape=None"
        )
    return declared


def _pool_feature_map(features, model, data_format):
    if data_format is None:
        # keras_hub backbones record the layout they were built with.
        data_format = getattr(model, "data_format", None)
    data_format = resolve_data_format(data_format)
    return keras.layers.GlobalAveragePooling2D(
        data_format=data_format, name="feature_pool"
    )(features)


def _pool_tokens(features, token_pooling):
    if token_pooling == "mean":
        return keras.layers.GlobalAveragePooling1D(name="token_pool")(features)
    # A `GetItem` op node: Keras serializes it and reloads it in safe mode
    # (checked on Keras 3.15), and unlike `Cropping1D` it needs no fixed
    # number of tokens.
    return features[:, 0]


def as_feature_encoder(model, token_pooling="class", image_shape=None,
                       data_format=None, name=None):
    """Wraps an image model so that it maps images to `(batch, dim)` vectors.

    What is added depends on the rank of the model's output:

    - rank 2, `(batch, dim)`: nothing; `model` itself is returned.
    - rank 4, a feature map (e.g. `keras_hub.models.ResNetBackbone`, or a
      keras_ssl ResNet built with `include_pooling=False`): global average
      pooling over the spatial axes, in the model's data format.
    - rank 3, a token sequence `(batch, tokens, dim)` (e.g.
      `keras_hub.models.ViTBackbone`): the class token (index 0) or the mean
      of all tokens, per `token_pooling`.

    The result is a functional `keras.Model` that calls `model` as its one
    inner layer (so it shares `model`'s weights) and adds only core Keras
    layers: saved to `.keras`, it loads with `keras.saving.load_model`
    without importing keras_ssl (a keras_hub backbone inside still needs
    keras_hub installed). The input value range is whatever `model` expects:
    keras_ssl encoders take `[0, 255]` and rescale themselves; keras_hub
    backbones expect what their `ImageConverter` produces.

    Args:
        model: `keras.Model`. The image model, with a single image input.
        token_pooling: str. For token outputs: `"class"` takes token 0 (the
            class token of a ViT), `"mean"` averages all tokens.
            Defaults to `"class"`.
        image_shape: tuple or None. Shape of one image; needed when `model`
            declares no input, otherwise checked against it (a mismatch
            raises a `ValueError`). Defaults to `None`.
        data_format: str or None. Layout of a rank-4 output; `None` means the
            model's `data_format` attribute if it has one, else
            `keras.config.image_data_format()`. Defaults to `None`.
        name: str or None. Name of the returned model; `None` means
            `"<model name>_features"`. Defaults to `None`.

    Returns:
        A `keras.Model` mapping images to `(batch, dim)` features.

    Example:

    ```python
    backbone = keras_hub.models.ViTBackbone(
        image_shape=(32, 32, 3), patch_size=8, num_layers=1, num_heads=2,
        hidden_dim=16, mlp_dim=32,
    )
    encoder = keras_ssl.encoders.as_feature_encoder(backbone)
    encoder(np.zeros((4, 32, 32, 3), "float32")).shape  # (4, 16)
    ```
    """
    _validate_arguments(model, token_pooling)
    image_shape = _resolve_image_shape(model, image_shape)
    declared_outputs = getattr(model, "outputs", None)
    if declared_outputs and len(declared_outputs) == 1:
        if len(declared_outputs[0].shape) == 2:
            return model
    inputs = keras.Input(shape=image_shape, name="images")
    features = model(inputs)
    if not isinstance(features, keras.KerasTensor):
        raise ValueError(
            "The model must return a single tensor. Received: a model "
            f"{model.name!r} returning {type(features).__name__} "
            f"{keras.tree.map_structure(lambda t: tuple(t.shape), features)}"
        )
    rank = len(features.shape)
    if rank == 2:
        pooled = features
    elif rank == 4:
        pooled = _pool_feature_map(features, model, data_format)
    elif rank == 3:
        pooled = _pool_tokens(features, token_pooling)
    else:
        raise ValueError(
            "The model must output a vector (rank 2), tokens (rank 3) or a "
            f"feature map (rank 4). Received: model {model.name!r} with "
            f"output shape {tuple(features.shape)}"
        )
    return keras.Model(inputs, pooled, name=name or f"{model.name}_features")
