"""Frozen copies of online layers, updated by EMA (BYOL, MoCo targets)."""

import keras


def momentum_copy(layer, name, input_shape=None):
    """Returns a copy of `layer` with equal, non-trainable weights.

    Functional models are cloned with `keras.models.clone_model`; other layers
    are rebuilt from their config on `input_shape`. The copy's weights are in
    the same order as the original's, which `SSLModel.momentum_pairs` relies
    on.

    Args:
        layer: keras.Layer. The online layer.
        name: str. Name of the copy.
        input_shape: tuple. Input shape to build a non-functional layer on.
    """
    if isinstance(layer, keras.Model) and hasattr(layer, "_nodes_by_depth"):
        target = keras.models.clone_model(layer)
        target.name = name
    else:
        config = {**layer.get_config(), "name": name}
        target = type(layer).from_config(config)
        target.build(input_shape)
    target.set_weights(layer.get_weights())
    # Freeze the variables, not the layer: a Keras layer with
    # `trainable=False` runs its BatchNormalization in inference mode, while
    # the targets of BYOL and MoCo normalise with batch statistics (and keep
    # their own moving averages) like the online network.
    for variable in target.weights:
        variable.trainable = False
    return target
