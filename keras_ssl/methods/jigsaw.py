"""Jigsaw: recognise which permutation shuffled the 3x3 tiles of an image."""

import functools
import itertools

import numpy as np
import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.methods import _pretext
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.utils.validation import check_positive_int

NUM_TILES = _pretext.GRID * _pretext.GRID
MAX_PERMUTATIONS = 1000  # the largest set the paper trains with


@functools.lru_cache(maxsize=None)
def _all_permutations_by_position():
    """All 9! permutations, (9, 9!) int8: row i is position i of each."""
    perms = np.array(list(itertools.permutations(range(NUM_TILES))), np.int8)
    return np.ascontiguousarray(perms.T)


@functools.lru_cache(maxsize=16)
def _permutation_set(num_permutations, seed):
    by_position = _all_permutations_by_position()
    count = by_position.shape[1]
    chosen = [int(np.random.default_rng(seed).integers(count))]
    total = np.zeros(count, np.int64)
    nearest = np.full(count, NUM_TILES, np.int64)
    available = np.ones(count, bool)
    for _ in range(num_permutations - 1):
        last = by_position[:, chosen[-1]]
        available[chosen[-1]] = False
        matches = sum(by_position[i] == last[i] for i in range(NUM_TILES))
        distance = NUM_TILES - matches.astype(np.int64)
        total += distance
        nearest = np.minimum(nearest, distance)
        # The paper's argmax of the summed distance has many ties; they go to
        # the candidate farthest from its nearest chosen permutation.
        score = np.where(available, total * (NUM_TILES + 1) + nearest, -1)
        chosen.append(int(np.argmax(score)))
    return by_position[:, chosen].T.astype("int32")


def hamming_permutation_set(num_permutations=100, seed=0):
    """Permutations of the 9 tiles, greedily far apart in Hamming distance.

    The paper's Algorithm 1: start from a random permutation (drawn with
    `seed`), then repeatedly add the permutation with the largest summed
    Hamming distance to those already chosen (ties: the largest distance to
    the nearest chosen one, then the first in lexicographic order).
    Deterministic for a given `(num_permutations, seed)`.

    Args:
        num_permutations: int in [2, 1000]. Size of the set. Defaults to
            `100`.
        seed: int. Seed of the first permutation. Defaults to `0`.

    Returns:
        int32 numpy array (num_permutations, 9); row p lists, for each
        position of the shuffled grid, the cell (row-major) its tile comes
        from.
    """
    num_permutations = check_positive_int("num_permutations", num_permutations)
    if not 2 <= num_permutations <= MAX_PERMUTATIONS:
        raise ValueError(
            f"`num_permutations` must be in [2, {MAX_PERMUTATIONS}]. "
            f"Received: num_permutations={num_permutations}."
        )
    return _permutation_set(
        num_permutations, _pretext.check_int("seed", seed)
    ).copy()


def shuffled_tiles(images, order, offsets, tile_shape):
    """Cuts the 3x3 tiles of each image and puts them in `order`.

    Args:
        images: (b, h, w, c) batch.
        order: (b, 9) int. Position i receives the tile of cell `order[:, i]`
            (cells numbered row-major).
        offsets: (b, 9, 2) int. Tile corner inside its cell, per position,
            in [0, cell - tile].
        tile_shape: (th, tw). Tile size.

    Returns:
        (b, 9, th, tw, c) tiles.
    """
    size = _pretext.static_size(images, "images")
    cell, origin = _pretext.grid_cells(size, tile_shape, "Jigsaw", "tile")
    corners = ops.take(_pretext.cell_corners(cell, origin), order, axis=0)
    corners = corners + ops.cast(offsets, "int32")
    return _pretext.gather_patches(
        images, corners[..., 0], corners[..., 1], tile_shape
    )


@keras_ssl_export
class Jigsaw(SSLModel):
    """Jigsaw puzzles: find the permutation that shuffled an image's tiles.

    Each image is cut into a 3x3 grid of cells and a tile is taken at a
    random position inside each cell, so that neighbouring tiles are
    separated by a random gap (edges and lines cannot simply be continued).
    The tiles are shuffled by one permutation, drawn per image from a fixed
    set chosen for large Hamming distances; the shared encoder embeds each
    tile, and a classifier on the 9 concatenated tile features predicts the
    index of the permutation, with cross-entropy. Logged: `jigsaw_accuracy`.

    The encoder sees tiles: build it for the tile size, e.g.
    `image_shape=(h // 3, w // 3, c)` for h x w images (tiles fill their
    cells, no gap) or smaller (the paper: 64-pixel tiles in 75-pixel cells
    of a 225 crop). An encoder taking any size (`image_shape=(None, None,
    c)`, which can also embed whole images later) needs `tile_size`.
    `model(images)` and `model.predict(images)` return the encoder features
    of the 9 tiles centred in their cells, concatenated in grid order
    (b, 9 * d), the image representation to evaluate (`model.encoder` embeds
    tiles, or whole images if built for any size); the online probe and
    `embedding_std` see the mean of the 9 training tiles' features. Images
    are channels-last.

    Paper defaults: a 3x3 grid, 64-pixel tiles in 75-pixel cells, sets of
    100 to 1000 permutations (more is harder and transferred better) chosen
    by maximal Hamming distance, a shared per-tile network whose concatenated
    outputs go through fc7 (4096) and a softmax over the permutations; SGD
    at lr 0.01. Not done here: the paper's per-tile normalisation and colour
    jitter against low-level shortcuts (add them to `augmenter`).

    Args:
        encoder: keras.Model. Maps tiles to features.
        augmenter: optional layer mapping images to 1 view. Defaults to
            `None`: a horizontal flip.
        num_permutations: int in [2, 1000]. Size of the permutation set.
            Defaults to `100`.
        permutation_seed: int. Seed of the set (it is regenerated from it,
            so saved models keep their set). Defaults to `0`.
        hidden_dim: int or None. Hidden width of the permutation classifier
            (the paper's fc7); `None` is linear. Defaults to `4096`.
        tile_size: int or None. Tile side when the encoder takes any size;
            `None` uses the encoder's input size. Defaults to `None`.
        seed: int or None. Seed of the permutation and tile-position draws.
            Defaults to `None`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.SmallCNN(image_shape=(None, None, 3))
    model = keras_ssl.methods.Jigsaw(encoder, tile_size=9, hidden_dim=1024)
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    model.fit(images_32x32, epochs=100, batch_size=256)  # 10-px cells
    ```

    Reference:
        Noroozi and Favaro, Unsupervised Learning of Visual Representations
        by Solving Jigsaw Puzzles, 2016. https://arxiv.org/abs/1603.09246
    """

    num_views = 1
    log_names = ("jigsaw_accuracy",)

    def __init__(
        self,
        encoder,
        augmenter=None,
        num_permutations=100,
        permutation_seed=0,
        hidden_dim=4096,
        tile_size=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(encoder, augmenter=augmenter, **kwargs)
        _pretext.check_int("permutation_seed", permutation_seed)
        self.permutations = hamming_permutation_set(
            num_permutations, permutation_seed
        )
        self.num_permutations = num_permutations
        self.permutation_seed = permutation_seed
        self.tile_size = tile_size
        self.tile_shape = _pretext.resolve_patch_shape(
            self.image_shape, tile_size, "tile_size", "Jigsaw"
        )
        # Training images are whole images, not tiles: any size that fits.
        self.image_shape = (None, None, self.image_shape[-1])
        self.hidden_dim = _pretext.check_optional_positive_int(
            "hidden_dim", hidden_dim
        )
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.jigsaw_head = _pretext.classifier_head(
            self.hidden_dim,
            num_permutations,
            NUM_TILES * self.feature_dim,
            "jigsaw_head",
        )

    def default_augmenter(self, image_shape):
        return _pretext.one_view_augmenter(image_shape)

    def call(self, inputs, training=False):
        images = _pretext.images_of(inputs)
        self._check_images("images", images, exact_size=True)
        return _pretext.grid_features(
            self.encoder, images, self.tile_shape, "Jigsaw", "tile", training
        )

    def compute_ssl_loss(self, views, training=False):
        images = views[0]
        size = _pretext.static_size(images, "images")
        cell, _ = _pretext.grid_cells(size, self.tile_shape, "Jigsaw", "tile")
        labels = _pretext.draw_for_global_batch(
            lambda rows: keras.random.randint(
                (rows,), 0, self.num_permutations, seed=self.seed_generator
            ),
            images,
        )
        # Each tile anywhere in its cell: random gaps between the tiles.
        bounds = [(0, c - t) for c, t in zip(cell, self.tile_shape)]
        offsets = _pretext.draw_for_global_batch(
            lambda rows: _pretext.random_shifts(
                (rows, NUM_TILES), bounds, self.seed_generator
            ),
            images,
        )
        return self.jigsaw_loss(images, labels, offsets, training=training)

    def jigsaw_loss(self, images, labels, offsets, training=False):
        """Loss and outputs for given permutation labels and tile offsets."""
        permutations = ops.convert_to_tensor(self.permutations)
        order = ops.take(permutations, labels, axis=0)
        tiles = shuffled_tiles(images, order, offsets, self.tile_shape)
        features = _pretext.encode_patches(self.encoder, tiles, training)
        flat = ops.reshape(features, (-1, NUM_TILES * features.shape[-1]))
        logits = self.jigsaw_head(flat, training=training)
        loss, accuracy = _pretext.cross_entropy_and_accuracy(logits, labels)
        mean_tile = ops.mean(features, axis=1)
        return loss, {
            "features": mean_tile,
            "embeddings": mean_tile,
            "jigsaw_accuracy": accuracy,
        }

    def get_config(self):
        return {
            **super().get_config(),
            "num_permutations": self.num_permutations,
            "permutation_seed": self.permutation_seed,
            "hidden_dim": self.hidden_dim,
            "tile_size": self.tile_size,
            "seed": self.seed,
        }
