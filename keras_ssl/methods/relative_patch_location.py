"""RelativePatchLocation: where is the second patch relative to the first?"""

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.methods import _pretext
from keras_ssl.methods.ssl_model import SSLModel

CENTRE_CELL = 4
# Grid cells (row-major) of the 8 neighbours, in the paper's reading order:
# label 0 is top-left, 1 top, 2 top-right, 3 left, 4 right, 5 bottom-left,
# 6 bottom, 7 bottom-right.
NEIGHBOUR_CELLS = (0, 1, 2, 3, 5, 6, 7, 8)
PAPER_MAX_JITTER = 7  # pixels, with 96-pixel patches and 48-pixel gaps


def patch_pairs(images, labels, jitter, patch_shape):
    """The centre patch and the neighbour `labels` of each image.

    Args:
        images: (b, h, w, c) batch, cut into a 3x3 grid of cells.
        labels: (b,) int in [0, 8). Neighbour position (see
            `NEIGHBOUR_CELLS`).
        jitter: (b, 2, 2) int. Shift (rows, cols) of the centre and the
            neighbour patch from the middle of their cells.
        patch_shape: (ph, pw). Patch size.

    Returns:
        (b, 2, ph, pw, c): the centre patch, then the neighbour.
    """
    size = _pretext.static_size(images, "images")
    cell, origin = _pretext.grid_cells(
        size, patch_shape, "RelativePatchLocation", "patch"
    )
    neighbour = ops.take(
        ops.convert_to_tensor(NEIGHBOUR_CELLS, "int32"), labels, axis=0
    )
    centre = ops.full_like(neighbour, CENTRE_CELL)
    cells = ops.stack([centre, neighbour], axis=1)
    middle = [(c - p) // 2 for c, p in zip(cell, patch_shape)]
    corners = ops.take(_pretext.cell_corners(cell, origin), cells, axis=0)
    corners = corners + ops.convert_to_tensor(middle, "int32")
    corners = corners + ops.cast(jitter, "int32")
    return _pretext.gather_patches(
        images, corners[..., 0], corners[..., 1], patch_shape
    )


@keras_ssl_export
class RelativePatchLocation(SSLModel):
    """Context prediction: classify the position of a patch next to another.

    Each image is cut into a 3x3 grid of cells; a patch is taken from the
    centre cell and one from a neighbouring cell drawn at random (8
    choices). Patches are smaller than their cells, so a gap separates
    them, and each is shifted by a random jitter, so that continuing edges
    or textures across the border does not reveal the answer. The shared
    encoder embeds both patches and a classifier on their concatenated
    features predicts the 8-way position, with cross-entropy. Logged:
    `location_accuracy`.

    The encoder sees patches: build it for the patch size, e.g.
    `image_shape=(2 * (h // 3) // 3, ...)` for the paper's gap of half a
    patch, or up to `(h // 3, w // 3, c)` (then no gap, no jitter). Patches
    sit in the middle of their cells, shifted by up to `max_jitter` pixels
    (clipped so that a patch stays in its cell), so neighbouring patches are
    `h // 3 - patch` pixels apart, less up to twice the jitter. An encoder
    taking any size (`image_shape=(None, None, c)`) needs `patch_size`.
    `model(images)` returns the encoder features of the 9 patches centred
    in the grid cells, concatenated in grid order (b, 9 * d), the image
    representation to evaluate; the online probe and `embedding_std` see the
    centre patch's features. Images are channels-last.

    Paper defaults: 96-pixel patches with 48-pixel gaps and up to 7 pixels
    of jitter, a shared AlexNet-style network per patch whose two outputs
    are concatenated and classified by fully connected layers of 4096
    units into the 8 positions. Not done
    here: the paper's defences against chromatic aberration (colour
    dropping or projection) and patch downsampling; add them to `augmenter`.

    Args:
        encoder: keras.Model. Maps patches to features.
        augmenter: optional layer mapping images to 1 view. Defaults to
            `None`: a horizontal flip.
        hidden_dim: int or None. Hidden width of the location classifier
            (the paper's fc7); `None` is linear. Defaults to `4096`.
        max_jitter: int >= 0. Largest random shift of a patch, in pixels.
            Defaults to `7`.
        patch_size: int or None. Patch side when the encoder takes any size;
            `None` uses the encoder's input size. Defaults to `None`.
        seed: int or None. Seed of the position and jitter draws. Defaults
            to `None`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.SmallCNN(image_shape=(None, None, 3))
    model = keras_ssl.methods.RelativePatchLocation(
        encoder, patch_size=8, hidden_dim=1024
    )
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    model.fit(images_32x32, epochs=100, batch_size=256)  # 10-px cells
    ```

    Reference:
        Doersch et al., Unsupervised Visual Representation Learning by
        Context Prediction, 2015. https://arxiv.org/abs/1505.05192
    """

    num_views = 1
    log_names = ("location_accuracy",)

    def __init__(
        self,
        encoder,
        augmenter=None,
        hidden_dim=4096,
        max_jitter=PAPER_MAX_JITTER,
        patch_size=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(encoder, augmenter=augmenter, **kwargs)
        self.patch_size = patch_size
        self.patch_shape = _pretext.resolve_patch_shape(
            self.image_shape, patch_size, "patch_size", "RelativePatchLocation"
        )
        # Training images are whole images, not patches: any size that fits.
        self.image_shape = (None, None, self.image_shape[-1])
        if _pretext.check_int("max_jitter", max_jitter) < 0:
            raise ValueError(
                f"`max_jitter` must be >= 0. Received: max_jitter={max_jitter}."
            )
        self.max_jitter = max_jitter
        self.hidden_dim = _pretext.check_optional_positive_int(
            "hidden_dim", hidden_dim
        )
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.location_head = _pretext.classifier_head(
            self.hidden_dim,
            len(NEIGHBOUR_CELLS),
            2 * self.feature_dim,
            "location_head",
        )

    def default_augmenter(self, image_shape):
        return _pretext.one_view_augmenter(image_shape)

    def call(self, inputs, training=False):
        images = _pretext.images_of(inputs)
        self._check_images("images", images, exact_size=True)
        return _pretext.grid_features(
            self.encoder,
            images,
            self.patch_shape,
            "RelativePatchLocation",
            "patch",
            training,
        )

    def compute_ssl_loss(self, views, training=False):
        images = views[0]
        size = _pretext.static_size(images, "images")
        cell, _ = _pretext.grid_cells(
            size, self.patch_shape, "RelativePatchLocation", "patch"
        )
        labels = _pretext.draw_for_global_batch(
            lambda rows: keras.random.randint(
                (rows,), 0, len(NEIGHBOUR_CELLS), seed=self.seed_generator
            ),
            images,
        )
        # Clipped so that a jittered patch never leaves its cell.
        limits = [
            min(self.max_jitter, (c - p) // 2)
            for c, p in zip(cell, self.patch_shape)
        ]
        jitter = _pretext.draw_for_global_batch(
            lambda rows: _pretext.random_shifts(
                (rows, 2), [(-j, j) for j in limits], self.seed_generator
            ),
            images,
        )
        return self.location_loss(images, labels, jitter, training=training)

    def location_loss(self, images, labels, jitter, training=False):
        """Loss and outputs for given neighbour labels and patch jitter."""
        patches = patch_pairs(images, labels, jitter, self.patch_shape)
        features = _pretext.encode_patches(self.encoder, patches, training)
        pair = ops.reshape(features, (-1, 2 * features.shape[-1]))
        logits = self.location_head(pair, training=training)
        loss, accuracy = _pretext.cross_entropy_and_accuracy(logits, labels)
        centre = features[:, 0]
        return loss, {
            "features": centre,
            "embeddings": centre,
            "location_accuracy": accuracy,
        }

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_dim": self.hidden_dim,
            "max_jitter": self.max_jitter,
            "patch_size": self.patch_size,
            "seed": self.seed,
        }
