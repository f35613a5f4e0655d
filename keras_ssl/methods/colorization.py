"""Colorization: predict the colours (Lab ab) of an image from its lightness."""

from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.backend.collectives import global_mean
from keras_ssl.methods import _pretext
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_positive_int

MODES = ("classification", "regression")
# sRGB (linear) -> CIE XYZ, D65 white, and the D65 reference white.
_RGB_TO_XYZ = (
    (0.4124564, 0.3575761, 0.1804375),
    (0.2126729, 0.7151522, 0.0721750),
    (0.0193339, 0.1191920, 0.9503041),
)
_WHITE = (0.95047, 1.0, 1.08883)
_DELTA = 6.0 / 29.0
AB_RANGE = 110.0  # |a|, |b| < 110 for every sRGB colour
L_TO_PIXELS = 2.55  # L in [0, 100] -> the encoders' [0, 255] input range


def _lab_f(t):
    # The floor keeps the unused branch of `where` finite (power of 0).
    cube_root = ops.power(ops.maximum(t, _DELTA**3), 1.0 / 3.0)
    return ops.where(t > _DELTA**3, cube_root, t / (3 * _DELTA**2) + 4 / 29)


def rgb_to_lab(images):
    """sRGB images in [0, 255] (..., 3) -> CIE Lab (D65), in float32.

    L is in [0, 100], a and b within about +-110. The sRGB transfer curve is
    undone, the linear values mapped to XYZ and normalised by the D65 white,
    then L = 116 f(Y) - 16, a = 500 (f(X) - f(Y)), b = 200 (f(Y) - f(Z)).
    """
    rgb = ops.clip(ops.cast(images, "float32") / 255.0, 0.0, 1.0)
    curve = ops.power((ops.maximum(rgb, 0.04045) + 0.055) / 1.055, 2.4)
    linear = ops.where(rgb <= 0.04045, rgb / 12.92, curve)
    channels = [linear[..., i] for i in range(3)]
    # Weighted sums, not a matmul: no reduced-precision matmul on any device.
    f_x, f_y, f_z = [
        _lab_f(sum(w * c for w, c in zip(row, channels)) / white)
        for row, white in zip(_RGB_TO_XYZ, _WHITE)
    ]
    return ops.stack(
        [116.0 * f_y - 16.0, 500.0 * (f_x - f_y), 200.0 * (f_y - f_z)], axis=-1
    )


def cell_mean_ab(lab, output_size):
    """Mean ab of each cell of an output_size^2 grid: (b, cells, 2).

    The `h % output_size` last rows (and columns) are left out.
    """
    height, width = _pretext.static_size(lab, "images")
    cell_h, cell_w = height // output_size, width // output_size
    ab = lab[:, : cell_h * output_size, : cell_w * output_size, 1:]
    ab = ops.reshape(ab, (-1, output_size, cell_h, output_size, cell_w, 2))
    return ops.reshape(ops.mean(ab, axis=(2, 4)), (-1, output_size**2, 2))


@keras_ssl_export
class Colorization(SSLModel):
    """Colorization: the encoder sees the lightness and predicts the colours.

    RGB images are converted to CIE Lab; the encoder (built with 1 channel)
    sees L, scaled to [0, 255] like any keras_ssl image, and a head on its
    features predicts the ab colours. Logged: `ab_error`, the mean distance
    in ab units between the predicted and the true colours.

    The paper predicts, for every pixel, a distribution over the 313
    in-gamut ab bins of a grid of size 10, with soft-encoded targets, class
    rebalancing (lambda 0.5) and annealed-mean decoding, from a fully
    convolutional network. Simplified here: the head works on the pooled
    encoder features and predicts a coarse `output_size x output_size` map,
    each cell's target being the mean ab of its pixels. With
    `mode="classification"` each cell is classified into the bins of a
    square grid of size `ab_grid_size` over [-110, 110]^2 (all bins, the
    out-of-gamut ones are simply never targets), with hard labels and plain
    cross-entropy; with `mode="regression"` the loss is the mean squared
    error of ab / 110 (the paper's L2 baseline). `model(images)` takes RGB
    images and returns the encoder features of their lightness. Images are
    RGB in [0, 255], channels-last.

    Args:
        encoder: keras.Model. Maps (h, w, 1) lightness images to features.
        augmenter: optional layer mapping RGB images to 1 view. Defaults to
            `None`: a horizontal flip.
        mode: `"classification"` or `"regression"`. Defaults to
            `"classification"`.
        ab_grid_size: float. Side of the ab bins (classification). Defaults
            to `10.0`.
        output_size: int. Side of the coarse grid of predicted colours.
            Defaults to `4`.
        hidden_dim: int or None. Hidden width of the colour head; `None` is
            linear. Defaults to `None`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.SmallCNN(image_shape=(32, 32, 1))
    model = keras_ssl.methods.Colorization(encoder)
    model.compile(optimizer=keras.optimizers.AdamW(1e-3))
    model.fit(rgb_images, epochs=100, batch_size=256)
    features = model.predict(rgb_images)  # converts to L itself
    ```

    Reference:
        Zhang et al., Colorful Image Colorization, 2016.
        https://arxiv.org/abs/1603.08511
    """

    num_views = 1
    log_names = ("ab_error",)

    def __init__(
        self,
        encoder,
        augmenter=None,
        mode="classification",
        ab_grid_size=10.0,
        output_size=4,
        hidden_dim=None,
        **kwargs,
    ):
        super().__init__(encoder, augmenter=augmenter, **kwargs)
        if self.image_shape[-1] != 1:
            raise ValueError(
                "Colorization's encoder sees the lightness channel only: "
                "build it with 1 channel, e.g. image_shape=(32, 32, 1). "
                f"Received: an encoder taking images of shape "
                f"{self.image_shape}."
            )
        # The model itself takes RGB images and views.
        self.image_shape = tuple(self.image_shape[:-1]) + (3,)
        if mode not in MODES:
            raise ValueError(
                f"`mode` must be one of {MODES}. Received: mode={mode!r}."
            )
        self.mode = mode
        self.ab_grid_size = check_positive_float("ab_grid_size", ab_grid_size)
        self.output_size = check_positive_int("output_size", output_size)
        self.hidden_dim = _pretext.check_optional_positive_int(
            "hidden_dim", hidden_dim
        )
        self.bins_per_axis = int(-(-2 * AB_RANGE // self.ab_grid_size))
        per_cell = self.bins_per_axis**2 if mode == "classification" else 2
        self.color_head = _pretext.classifier_head(
            self.hidden_dim,
            self.output_size**2 * per_cell,
            self.feature_dim,
            "color_head",
        )

    def default_augmenter(self, image_shape):
        return _pretext.one_view_augmenter(image_shape)

    def lightness(self, images):
        """L of RGB images, scaled from [0, 100] to [0, 255]: (b, h, w, 1)."""
        return rgb_to_lab(images)[..., :1] * L_TO_PIXELS

    def call(self, inputs, training=False):
        images = _pretext.images_of(inputs)
        self._check_images("images", images, exact_size=True)
        return self.encoder(self.lightness(images), training=training)

    def compute_ssl_loss(self, views, training=False):
        self._check_grid_fits(views[0])
        lab = rgb_to_lab(views[0])
        features = self.encoder(lab[..., :1] * L_TO_PIXELS, training=training)
        outputs = self.color_head(features, training=training)
        outputs = ops.cast(outputs, "float32")
        target = cell_mean_ab(lab, self.output_size)
        if self.mode == "classification":
            loss, predicted = self._classification(outputs, target)
        else:
            predicted = ops.reshape(outputs, (-1,) + tuple(target.shape[1:]))
            predicted = predicted * AB_RANGE
            loss = global_mean(ops.square((predicted - target) / AB_RANGE))
        distance = ops.sqrt(ops.sum(ops.square(predicted - target), axis=-1))
        return loss, {
            "features": features,
            "embeddings": features,
            "ab_error": global_mean(distance),
        }

    def _check_grid_fits(self, images):
        smallest = min(_pretext.static_size(images, "views[0]"))
        if smallest < self.output_size:
            raise ValueError(
                f"Images of shape {tuple(images.shape)} are smaller than "
                f"the colour grid: `output_size` must be <= {smallest}. "
                f"Received: output_size={self.output_size}."
            )

    def _classification(self, outputs, target):
        """Cross-entropy over ab bins; prediction = centre of the best bin."""
        n = self.bins_per_axis
        logits = ops.reshape(outputs, (-1, n * n))
        index = ops.floor((target + AB_RANGE) / self.ab_grid_size)
        index = ops.cast(ops.clip(index, 0, n - 1), "int32")
        labels = ops.reshape(index[..., 0] * n + index[..., 1], (-1,))
        loss, _ = _pretext.cross_entropy_and_accuracy(logits, labels)
        best = ops.cast(ops.argmax(logits, axis=-1), "int32")
        bins = ops.stack([best // n, best % n], axis=-1)
        bins = ops.reshape(bins, (-1,) + tuple(target.shape[1:]))
        centres = (ops.cast(bins, "float32") + 0.5) * self.ab_grid_size
        return loss, centres - AB_RANGE

    def get_config(self):
        return {
            **super().get_config(),
            "mode": self.mode,
            "ab_grid_size": self.ab_grid_size,
            "output_size": self.output_size,
            "hidden_dim": self.hidden_dim,
        }
