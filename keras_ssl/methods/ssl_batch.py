"""How a training batch is read: images or pre-made views, optional labels.

Accepted batches (what `fit` yields from numpy arrays, tf.data datasets and
`keras.utils.PyDataset`s):

- `images` or `(images,)`: a (b, h, w, c) tensor; views are made on device.
- `(images, labels)` (or `(images, labels, sample_weight)`): labels are
  rank 1 (b,) or (b, 1) integers, used by the online probe only.
- `(views,)` or `(views, labels)`: `views` a tuple/list of image tensors.
- `(view_1, view_2, ...)`: every element has rank 4, so they are views.
- a dict with `"images"` or `"views"`, and optionally `"labels"`.
"""

from keras import ops


def _is_image_tensor(x):
    return hasattr(x, "shape") and len(x.shape) == 4


def unpack_ssl_batch(data):
    """Returns `(images, views, labels)`: exactly one of images/views is set."""
    if isinstance(data, dict):
        return _from_dict(data)
    if not isinstance(data, (tuple, list)):
        return data, None, None
    if len(data) == 1:
        # What Keras yields for `fit(x)` when x is a tuple: `(x,)`.
        return unpack_ssl_batch(data[0])
    if all(_is_image_tensor(x) for x in data):
        return None, list(data), None
    inputs, labels = data[0], data[1]
    if isinstance(inputs, (tuple, list)):
        return None, list(inputs), labels
    if isinstance(inputs, dict):
        images, views, _ = _from_dict(inputs)
        return images, views, labels
    return inputs, None, labels


def _from_dict(data):
    unknown = set(data) - {"images", "views", "labels"}
    if unknown or ("images" in data) == ("views" in data):
        raise ValueError(
            "A dict batch must have exactly one of the keys 'images' or "
            "'views', and optionally 'labels'. Received keys: "
            f"{sorted(data)}."
        )
    views = data.get("views")
    return data.get("images"), None if views is None else list(views), data.get(
        "labels"
    )


def flatten_labels(labels):
    """(b,) or (b, 1) integer labels -> (b,) int32; raises otherwise."""
    if len(labels.shape) == 2 and labels.shape[1] == 1:
        labels = ops.reshape(labels, (-1,))
    if len(labels.shape) != 1:
        raise ValueError(
            "Labels must be integer class ids of shape (batch,) or "
            f"(batch, 1). Received: labels.shape={tuple(labels.shape)}."
        )
    return ops.cast(labels, "int32")
