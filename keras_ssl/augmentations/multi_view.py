"""Maps a batch of images to several augmented views of it."""

import keras

from keras_ssl.api_export import keras_ssl_export

_DEFAULT_NUM_VIEWS = 2


def _check_layer(layer, name):
    if not isinstance(layer, keras.layers.Layer):
        raise TypeError(
            f"`{name}` must hold keras.layers.Layer instances. "
            f"Received: {layer!r} of type {type(layer).__name__}"
        )


@keras_ssl_export
class MultiView(keras.layers.Layer):
    """Turns a batch of images into a tuple of independently augmented views.

    `augmentations` is either one layer, called `num_views` times (each call
    draws fresh randomness, e.g. SimCLR's two views of one pipeline), or a
    list of layers, one per view (e.g. BYOL's asymmetric pair, or multi-crop
    with global and local crops of different sizes). The layers are usually
    `keras.layers.Pipeline`s of preprocessing layers.

    The layer runs wherever its augmentations run: in a model's train step
    on every backend (including a jitted JAX step) and inside a `tf.data`
    pipeline (`dataset.map(multi_view)`), where the views come back as a
    tuple of tensors. Like Keras preprocessing layers it augments unless
    called with `training=False`.

    Args:
        augmentations: `keras.layers.Layer` or list of them. The view maker(s).
        num_views: int or `None`. Number of views when `augmentations` is one
            layer (defaults to 2); must be `None` or equal to the list length
            when it is a list. Defaults to `None`.

    Example:

    ```python
    view = keras.layers.Pipeline([
        keras_ssl.augmentations.RandomResizedCrop(32, 32, seed=0),
        keras.layers.RandomFlip("horizontal", seed=1),
    ])
    multi_view = keras_ssl.augmentations.MultiView(view, num_views=2)
    images = np.random.uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    view_a, view_b = multi_view(images)
    ```
    """

    def __init__(self, augmentations, num_views=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(augmentations, (list, tuple)):
            if not augmentations:
                raise ValueError(
                    "`augmentations` must not be an empty list. "
                    f"Received: augmentations={augmentations!r}"
                )
            for layer in augmentations:
                _check_layer(layer, "augmentations")
            if num_views is not None and num_views != len(augmentations):
                raise ValueError(
                    "`num_views` must be None or match the number of "
                    f"augmentations ({len(augmentations)}) when a list is "
                    f"given. Received: num_views={num_views!r}"
                )
            augmentations = list(augmentations)
            num_views = len(augmentations)
        else:
            _check_layer(augmentations, "augmentations")
            if num_views is None:
                num_views = _DEFAULT_NUM_VIEWS
            if (
                isinstance(num_views, bool)
                or not isinstance(num_views, int)
                or num_views < 1
            ):
                raise ValueError(
                    "`num_views` must be a positive integer. "
                    f"Received: num_views={num_views!r}"
                )
        self.augmentations = augmentations
        self.num_views = num_views
        # Inputs may be tf.data tensors under any backend; the augmentation
        # layers convert them themselves.
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True

    def _view_layers(self):
        if isinstance(self.augmentations, list):
            return self.augmentations
        return [self.augmentations] * self.num_views

    def build(self, input_shape):
        # Augmentation layers hold no weights; they build on their first
        # call. Building a keras.layers.Pipeline explicitly only warns.
        self.built = True

    def call(self, images, training=True):
        return tuple(
            layer(images, training=training) for layer in self._view_layers()
        )

    def compute_output_shape(self, input_shape):
        return tuple(
            layer.compute_output_shape(input_shape)
            for layer in self._view_layers()
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "augmentations": keras.saving.serialize_keras_object(
                    self.augmentations
                ),
                "num_views": self.num_views,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["augmentations"] = keras.saving.deserialize_keras_object(
            config["augmentations"]
        )
        return cls(**config)
