"""Runners that call an augmentation layer the way each backend trains.

`compiled_call` runs a layer inside `jax.jit` (through `stateless_call`, as
the JAX trainer does), inside a `tf.function`, or eagerly on torch.
`tf_data_call` runs it inside `tf.data.Dataset.map` on any backend.
"""

import keras
import numpy as np
import pytest


def _to_numpy(outputs):
    return keras.tree.map_structure(keras.ops.convert_to_numpy, outputs)


def _jax_call(layer, images):
    import jax

    if not layer.built:
        layer.build(images.shape)
    variables = layer.non_trainable_variables

    @jax.jit
    def step(values, batch):
        return layer.stateless_call([], values, batch, training=True)

    outputs, new_values = step([v.value for v in variables], images)
    # Carry the advanced seed state over, as a trainer does between steps.
    for variable, value in zip(variables, new_values):
        variable.assign(value)
    return _to_numpy(outputs)


def _tf_call(layer, images, jit_compile=False):
    import tensorflow as tf

    step = tf.function(
        lambda batch: layer(batch, training=True), jit_compile=jit_compile
    )
    return _to_numpy(step(tf.convert_to_tensor(images)))


def _compiled_call(layer, images):
    backend = keras.backend.backend()
    if backend == "jax":
        return _jax_call(layer, images)
    if backend == "tensorflow":
        return _tf_call(layer, images)
    return _to_numpy(layer(images, training=True))


def _tf_data_call(layer, images, batch_size=None):
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices(images)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    dataset = dataset.map(lambda batch: layer(batch, training=True))
    return [
        keras.tree.map_structure(np.asarray, element)
        for element in dataset.as_numpy_iterator()
    ]


@pytest.fixture
def compiled_call():
    return _compiled_call


@pytest.fixture
def tf_data_call():
    return _tf_data_call


@pytest.fixture
def tf_xla_call():
    return lambda layer, images: _tf_call(layer, images, jit_compile=True)


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.uniform(0, 255, (8, 32, 32, 3)).astype("float32")
