"""SimSiam: a predictor and a stop-gradient, no negatives, no momentum."""

from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl import augmentations
from keras_ssl.layers.projection_head import ProjectionHead
from keras_ssl.losses.negative_cosine_similarity import (
    negative_cosine_similarity,
)
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.utils.validation import check_positive_int


@keras_ssl_export
class SimSiam(SSLModel):
    """SimSiam: each view's prediction regresses the other's stopped projection.

    Both views go through the encoder, a projection MLP and a prediction MLP;
    the loss is `D(p_1, sg(z_2)) / 2 + D(p_2, sg(z_1)) / 2` with `D` the
    negative cosine similarity and `sg` the stop-gradient, which is what
    keeps the representation from collapsing. Paper defaults: projector of 3
    layers of 2048 with BatchNorm on every layer (output included, no ReLU
    there), predictor 2048 -> 512 (BN, ReLU) -> 2048, the MoCo v2
    augmentations; the paper trains with SGD lr 0.05 x batch/256, batch 512,
    weight decay 1e-4, with the predictor's lr kept constant.

    Args:
        encoder: keras.Model. Maps images to features.
        augmenter: optional layer mapping images to 2 views. Defaults to
            `None` (`keras_ssl.augmentations.moco_v2_augmentation`).
        projection_dim: int. Width of the projector's hidden and output
            layers. Defaults to `2048`.
        prediction_hidden_dim: int. Bottleneck width of the predictor.
            Defaults to `512`.
        stop_gradient: bool. Stop the gradient through the target
            projections. `False` is the paper's ablation (Table 1 /
            Figure 2), which collapses. Defaults to `True`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    model = keras_ssl.methods.SimSiam(encoder)
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
    model.fit(images, epochs=100, batch_size=512)
    ```

    Reference:
        Chen and He, Exploring Simple Siamese Representation Learning, 2020.
        https://arxiv.org/abs/2011.10566
    """

    def __init__(
        self,
        encoder,
        augmenter=None,
        projection_dim=2048,
        prediction_hidden_dim=512,
        stop_gradient=True,
        **kwargs,
    ):
        super().__init__(encoder, augmenter=augmenter, **kwargs)
        self.projection_dim = check_positive_int("projection_dim", projection_dim)
        self.prediction_hidden_dim = check_positive_int(
            "prediction_hidden_dim", prediction_hidden_dim
        )
        self.stop_gradient = bool(stop_gradient)
        # The paper's output BatchNorm is affine-free; here it keeps a
        # (trainable) offset, as in SimCLR's head.
        self.projection_head = ProjectionHead(
            [projection_dim, projection_dim],
            projection_dim,
            output_batch_norm=True,
            name="projection_head",
        )
        self.projection_head.build((None, self.feature_dim))
        self.prediction_head = ProjectionHead(
            [prediction_hidden_dim], projection_dim, name="prediction_head"
        )
        self.prediction_head.build((None, projection_dim))

    def default_augmenter(self, image_shape):
        return augmentations.moco_v2_augmentation(
            image_size=image_shape[0], channels=image_shape[-1]
        )

    def compute_ssl_loss(self, views, training=False):
        batch = ops.shape(views[0])[0]
        features = self.encoder(ops.concatenate(views, axis=0), training=training)
        z = self.projection_head(features, training=training)
        p = self.prediction_head(z, training=training)
        target = ops.stop_gradient(z) if self.stop_gradient else z
        loss = (
            negative_cosine_similarity(p[:batch], target[batch:])
            + negative_cosine_similarity(p[batch:], target[:batch])
        ) / 2.0
        return loss, {"features": features[:batch], "embeddings": z[:batch]}

    def get_config(self):
        return {
            **super().get_config(),
            "projection_dim": self.projection_dim,
            "prediction_hidden_dim": self.prediction_hidden_dim,
            "stop_gradient": self.stop_gradient,
        }
