"""RotationPrediction (RotNet): predict which of 4 rotations an image got."""

from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.methods import _pretext
from keras_ssl.methods.ssl_model import SSLModel

NUM_ROTATIONS = 4
# Random crops as in RotNet's data loading; flips keep "upright" upright.
CROP_SCALE = (0.5, 1.0)


def rotate90(images, quarter_turns):
    """Rotates (b, h, w, c) images counter-clockwise by `quarter_turns` x 90.

    Exact (a transpose and flips, no interpolation); equals
    `np.rot90(images, quarter_turns, axes=(1, 2))`. Square images keep
    their shape, so the four rotations stack into one batch.
    """
    turns = int(quarter_turns) % NUM_ROTATIONS
    if turns == 0:
        return images
    if turns == 2:
        return ops.flip(ops.flip(images, axis=1), axis=2)
    transposed = ops.transpose(images, (0, 2, 1, 3))
    return ops.flip(transposed, axis=1 if turns == 1 else 2)


def rotation_batch(images):
    """The 4 rotations of every image, (4b, h, w, c), and labels (4b,).

    Rows `[k * b, (k + 1) * b)` hold the images rotated by `k` x 90 degrees
    counter-clockwise and carry label `k`.
    """
    height, width = _pretext.static_size(images, "images")
    if height != width:
        raise ValueError(
            "RotationPrediction needs square images, so that the 4 rotations "
            f"have one shape. Received: images of shape "
            f"{tuple(images.shape)} (height {height}, width {width})."
        )
    rotated = ops.concatenate(
        [rotate90(images, k) for k in range(NUM_ROTATIONS)], axis=0
    )
    batch = ops.shape(images)[0]
    labels = ops.repeat(ops.arange(NUM_ROTATIONS, dtype="int32"), batch)
    return rotated, labels


@keras_ssl_export
class RotationPrediction(SSLModel):
    """RotNet: classify by how many quarter turns each image was rotated.

    Every image of the batch is rotated by 0, 90, 180 and 270 degrees (exact
    rotations, so no interpolation artefact gives the answer away); the
    encoder embeds all four copies in one pass and a classifier on the
    features predicts the rotation, trained with cross-entropy. Telling
    which way is up requires recognising the objects and their parts.
    Logged: `rotation_accuracy`.

    Paper defaults: all four rotations of each image in the same batch
    (better than one random rotation per image), a 4-way classifier, random
    crops and horizontal flips; the paper trains a Network-In-Network or
    AlexNet with SGD (lr 0.1, momentum 0.9, weight decay 5e-4, batch 128).
    Its rotation classifier is the top of the network; here it is a linear
    layer on the encoder features (`hidden_dim=None`) or a one-hidden-layer
    MLP. Images must be square and should show objects in their canonical,
    upright orientation: on data with random orientations the task has no
    answer. Images are channels-last.

    Args:
        encoder: keras.Model. Maps square images to features.
        augmenter: optional layer mapping images to 1 view. Defaults to
            `None`: a random resized crop of scale (0.5, 1) and a horizontal
            flip.
        hidden_dim: int or None. Hidden width of the rotation classifier;
            `None` is a linear classifier. Defaults to `None`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    model = keras_ssl.methods.RotationPrediction(encoder)
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9))
    model.fit(images, epochs=100, batch_size=128)
    features = model.encoder.predict(images)
    ```

    Reference:
        Gidaris et al., Unsupervised Representation Learning by Predicting
        Image Rotations, 2018. https://arxiv.org/abs/1803.07728
    """

    num_views = 1
    log_names = ("rotation_accuracy",)

    def __init__(self, encoder, augmenter=None, hidden_dim=None, **kwargs):
        super().__init__(encoder, augmenter=augmenter, **kwargs)
        height, width = self.image_shape[:2]
        if None not in (height, width) and height != width:
            raise ValueError(
                "RotationPrediction needs square images: build the encoder "
                "with image_shape=(s, s, c). Received: an encoder taking "
                f"images of shape {self.image_shape}."
            )
        self.hidden_dim = _pretext.check_optional_positive_int(
            "hidden_dim", hidden_dim
        )
        self.rotation_head = _pretext.classifier_head(
            self.hidden_dim, NUM_ROTATIONS, self.feature_dim, "rotation_head"
        )

    def default_augmenter(self, image_shape):
        return _pretext.one_view_augmenter(image_shape, crop_scale=CROP_SCALE)

    def compute_ssl_loss(self, views, training=False):
        images = views[0]
        batch = ops.shape(images)[0]
        rotated, labels = rotation_batch(images)
        # One pass over the 4b copies: one BatchNorm statistic for all.
        features = self.encoder(rotated, training=training)
        logits = self.rotation_head(features, training=training)
        loss, accuracy = _pretext.cross_entropy_and_accuracy(logits, labels)
        upright = features[:batch]
        return loss, {
            "features": upright,
            "embeddings": upright,
            "rotation_accuracy": accuracy,
        }

    def get_config(self):
        return {**super().get_config(), "hidden_dim": self.hidden_dim}
