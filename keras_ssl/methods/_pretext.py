"""Pieces shared by the pretext-task methods (rotation, jigsaw, patches...).

Pretext methods train on one view per image and build their own labels from
it, so they share a one-view augmenter, a classifier head, a cross-entropy
with accuracy, and a per-image patch cutter that runs on every backend.
"""

import keras
from keras import ops

from keras_ssl.augmentations.multi_view import MultiView
from keras_ssl.augmentations.random_resized_crop import RandomResizedCrop
from keras_ssl.backend.collectives import global_mean
from keras_ssl.backend.collectives import global_rows
from keras_ssl.backend.collectives import num_replicas
from keras_ssl.layers.projection_head import ProjectionHead
from keras_ssl.methods.ssl_batch import unpack_ssl_batch
from keras_ssl.utils.validation import check_positive_int

GRID = 3  # Jigsaw tiles and relative patches both live on a 3x3 grid.


def check_optional_positive_int(name, value):
    """`None`, or `value` as an int >= 1 (raises otherwise)."""
    return None if value is None else check_positive_int(name, value)


def check_int(name, value):
    """`value` if it is an int (not a bool); raises a TypeError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"`{name}` must be an int. Received: {name}={value!r}.")
    return value


def random_shifts(shape, bounds, seed):
    """(*shape, 2) int32 draws; axis i uniform in [low_i, high_i] of bounds."""
    return ops.stack(
        [
            keras.random.randint(shape, low, high + 1, seed=seed)
            for low, high in bounds
        ],
        axis=-1,
    )


def images_of(inputs):
    """The images of a `call` input: images, or the first of several views."""
    images, views, _ = unpack_ssl_batch(inputs)
    return images if views is None else views[0]


def one_view_augmenter(image_shape, crop_scale=None):
    """A `MultiView` of one view: an optional crop, a horizontal flip.

    A horizontal flip keeps every pretext label meaningful (an upright image
    stays upright, tiles are cut after it); the crop needs a known size.
    """
    layers = [keras.layers.RandomFlip("horizontal")]
    height, width = image_shape[0], image_shape[1]
    if crop_scale is not None and height is not None and width is not None:
        layers.insert(0, RandomResizedCrop(height, width, scale=crop_scale))
    return MultiView(keras.layers.Pipeline(layers), num_views=1)


def classifier_head(hidden_dim, num_classes, input_dim, name):
    """Linear classifier (`hidden_dim=None`) or Dense-BN-ReLU-Dense MLP."""
    hidden = [] if hidden_dim is None else [hidden_dim]
    head = ProjectionHead(hidden, num_classes, name=name)
    head.build((None, input_dim))
    return head


def cross_entropy_and_accuracy(logits, labels):
    """Mean softmax cross-entropy and accuracy (global batch), in float32."""
    logits = ops.cast(logits, "float32")
    labels = ops.cast(labels, "int32")
    loss = keras.losses.sparse_categorical_crossentropy(
        labels, logits, from_logits=True
    )
    predicted = ops.cast(ops.argmax(logits, axis=-1), "int32")
    hits = ops.cast(predicted == labels, "float32")
    return global_mean(loss), global_mean(hits)


def draw_for_global_batch(draw, images):
    """`draw(rows)` made for the global batch; this replica's rows of it.

    Each image then gets the random label it would get on one device,
    whichever replica holds it (a seed generator is the same on every
    replica, so per-replica draws would repeat across replicas).
    """
    rows, offset = global_rows(images)
    values = draw(rows)
    if num_replicas() == 1:
        return values
    local = offset + ops.arange(ops.shape(images)[0], dtype="int32")
    return ops.take(values, local, axis=0)


def static_size(images, name):
    """(height, width) of a (b, h, w, c) batch; both must be known."""
    if len(images.shape) != 4 or None in tuple(images.shape[1:3]):
        raise ValueError(
            f"`{name}` must be a batch (b, h, w, c) with known height and "
            f"width. Received: {name}.shape={tuple(images.shape)}."
        )
    return int(images.shape[1]), int(images.shape[2])


def resolve_patch_shape(encoder_shape, patch_size, arg_name, method):
    """(h, w) of what the encoder sees: its input size, or `patch_size`.

    A fixed-size encoder defines the patch size; an encoder taking any size
    (image_shape=(None, None, c)) needs `patch_size`.
    """
    patch_size = check_optional_positive_int(arg_name, patch_size)
    declared = tuple(encoder_shape[:2])
    if None in declared:
        if patch_size is None:
            raise ValueError(
                f"{method} feeds the encoder pieces of the image, and "
                f"this encoder takes any size (input shape {encoder_shape}). "
                f"Pass `{arg_name}`, or build the encoder for the piece size. "
                f"Received: {arg_name}=None."
            )
        return (patch_size, patch_size)
    if patch_size is not None and (patch_size, patch_size) != declared:
        raise ValueError(
            f"`{arg_name}` must match the encoder's input size {declared} "
            f"or be None. Received: {arg_name}={patch_size}."
        )
    return declared


def grid_cells(image_size, patch_shape, method, arg_name):
    """Cell size and grid origin of a 3x3 grid over `image_size`.

    The grid is centred, so the `h % 3` spare rows are split between top and
    bottom. Raises unless a patch fits in a cell.
    """
    cell = (image_size[0] // GRID, image_size[1] // GRID)
    if patch_shape[0] > cell[0] or patch_shape[1] > cell[1]:
        raise ValueError(
            f"{method} cuts images of size {image_size} into a 3x3 grid of "
            f"cells of {cell}, and the encoder's {arg_name} {patch_shape} "
            f"must fit in a cell: use images of at least "
            f"{(GRID * patch_shape[0], GRID * patch_shape[1])}, or build the "
            f"encoder with image_shape=(h // 3, w // 3, c) or smaller."
        )
    origin = tuple((s - GRID * c) // 2 for s, c in zip(image_size, cell))
    return cell, origin


def cell_corners(cell, origin):
    """(9, 2) int32 top-left corners of the grid cells, row-major."""
    corners = [
        (origin[0] + row * cell[0], origin[1] + col * cell[1])
        for row in range(GRID)
        for col in range(GRID)
    ]
    return ops.convert_to_tensor(corners, dtype="int32")


def gather_patches(images, tops, lefts, patch_shape):
    """Cuts `k` patches per image: (b, h, w, c) -> (b, k, ph, pw, c).

    `tops` and `lefts` are (b, k) int32 corners, a different one per image
    and patch; one gather on the flattened pixels does it, which works
    inside compiled steps of every backend.
    """
    height, width = patch_shape
    image_width, channels = images.shape[2], images.shape[3]
    num_patches = tops.shape[1]
    rows = tops[:, :, None] + ops.arange(height, dtype="int32")
    cols = lefts[:, :, None] + ops.arange(width, dtype="int32")
    flat = rows[:, :, :, None] * image_width + cols[:, :, None, :]
    flat = ops.reshape(flat, (-1, num_patches * height * width, 1))
    pixels = ops.reshape(images, (-1, images.shape[1] * image_width, channels))
    patches = ops.take_along_axis(
        pixels, ops.repeat(flat, channels, axis=2), axis=1
    )
    return ops.reshape(patches, (-1, num_patches, height, width, channels))


def encode_patches(encoder, patches, training):
    """Shared encoder over (b, k, ph, pw, c) patches -> (b, k, d) features."""
    num_patches = patches.shape[1]
    flat = ops.reshape(patches, (-1,) + tuple(patches.shape[2:]))
    features = encoder(flat, training=training)
    return ops.reshape(features, (-1, num_patches, features.shape[-1]))


def grid_features(encoder, images, patch_shape, method, arg_name, training):
    """Encoder features of the 9 centred grid pieces, in grid order: (b, 9d).

    What `model(images)` of the tile and patch methods returns: whole images
    described with the piece-sized inputs the encoder was trained on. The
    pieces are concatenated row-major, as the methods' heads see them, so
    where a part of the image lies stays in the features (a mean over the
    pieces loses it: on the embedded `shapes` set, RelativePatchLocation's
    kNN reads 28.9% on the mean and 57.0% on the concatenation).
    """
    size = static_size(images, "images")
    cell, origin = grid_cells(size, patch_shape, method, arg_name)
    centred = [(c - p) // 2 for c, p in zip(cell, patch_shape)]
    centred = ops.convert_to_tensor(centred, dtype="int32")
    corners = cell_corners(cell, origin) + centred
    batch = ops.shape(images)[0]
    corners = ops.broadcast_to(corners[None], (batch, GRID * GRID, 2))
    patches = gather_patches(
        images, corners[..., 0], corners[..., 1], patch_shape
    )
    features = encode_patches(encoder, patches, training)
    return ops.reshape(features, (-1, GRID * GRID * features.shape[-1]))
