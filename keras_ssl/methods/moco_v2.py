"""MoCo v2: InfoNCE against a queue of momentum-encoded keys."""

from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl import augmentations
from keras_ssl.layers.memory_queue import MemoryQueue
from keras_ssl.layers.moco_v2_projection_head import MoCoV2ProjectionHead
from keras_ssl.losses.info_nce import info_nce
from keras_ssl.methods.momentum_target import momentum_copy
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_positive_int


@keras_ssl_export
class MoCoV2(SSLModel):
    """MoCo v2: queries against momentum-encoded keys and a queue of negatives.

    The query encoder (encoder + MLP head) embeds one view; a momentum copy of
    it embeds the other view into a key. InfoNCE classifies each query's key
    among the queued keys of earlier batches, then the batch's keys are
    enqueued (writes wrap around the queue's end; no key is dropped, so any
    batch size up to `queue_size` works). Paper defaults: MLP head
    2048 -> 128 without BatchNorm, temperature 0.2, queue of 65536 keys,
    constant momentum 0.999, the MoCo v2 augmentations (blur included); the
    paper trains with SGD lr 0.03 x batch/256, batch 256, cosine lr decay.
    The loss is asymmetric (query from view 1, key from view 2) as in the
    paper; `symmetric=True` uses both directions and enqueues both keys.
    On several replicas the keys of the global batch are enqueued; the
    paper's shuffled BatchNorm is not implemented (`sync_batch_norm=True`
    normalises over the global batch, as one device does).

    Args:
        encoder: keras.Model. Maps images to features.
        augmenter: optional layer mapping images to 2 views. Defaults to
            `None` (`keras_ssl.augmentations.moco_v2_augmentation`).
        temperature: float. InfoNCE temperature, > 0. Defaults to `0.2`.
        queue_size: int. Number of negative keys kept. Defaults to `65536`.
        projection_hidden_dim: int. Hidden width of the head. Defaults to
            `2048`.
        projection_dim: int. Output width of the head. Defaults to `128`.
        base_momentum: float. Key encoder momentum. Defaults to `0.999`.
        momentum_schedule: "constant" (paper) or "cosine". Defaults to
            `"constant"`.
        symmetric: bool. Symmetrised loss. Defaults to `False`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(32, 32, 3))
    model = keras_ssl.methods.MoCoV2(encoder, queue_size=4096)
    model.compile(optimizer=keras.optimizers.SGD(0.03, momentum=0.9))
    model.fit(images, epochs=200, batch_size=256)
    ```

    Reference:
        Chen et al., Improved Baselines with Momentum Contrastive Learning,
        2020. https://arxiv.org/abs/2003.04297
    """

    def __init__(
        self,
        encoder,
        augmenter=None,
        temperature=0.2,
        queue_size=65536,
        projection_hidden_dim=2048,
        projection_dim=128,
        base_momentum=0.999,
        momentum_schedule="constant",
        symmetric=False,
        **kwargs,
    ):
        super().__init__(
            encoder,
            augmenter=augmenter,
            base_momentum=base_momentum,
            momentum_schedule=momentum_schedule,
            **kwargs,
        )
        self.temperature = check_positive_float("temperature", temperature)
        self.queue_size = check_positive_int("queue_size", queue_size)
        self.projection_hidden_dim = projection_hidden_dim
        self.projection_dim = projection_dim
        self.symmetric = bool(symmetric)
        self.projection_head = MoCoV2ProjectionHead(
            projection_hidden_dim, projection_dim, name="projection_head"
        )
        self.projection_head.build((None, self.feature_dim))
        self.target_encoder = momentum_copy(self.encoder, "target_encoder")
        self.target_projection_head = momentum_copy(
            self.projection_head,
            "target_projection_head",
            input_shape=(None, self.feature_dim),
        )
        self.queue = MemoryQueue(queue_size, projection_dim, name="queue")

    def default_augmenter(self, image_shape):
        return augmentations.moco_v2_augmentation(
            image_size=image_shape[0], channels=image_shape[-1]
        )

    @property
    def momentum_pairs(self):
        return [
            (self.encoder, self.target_encoder),
            (self.projection_head, self.target_projection_head),
        ]

    def _key(self, view, training):
        features = self.target_encoder(view, training=training)
        key = self.target_projection_head(features, training=training)
        return ops.stop_gradient(key)

    def compute_ssl_loss(self, views, training=False):
        # Negatives are the queue as it was before this batch's keys; copied
        # so that the in-place write below cannot alias them.
        negatives = ops.stop_gradient(ops.copy(self.queue.keys))
        features = self.encoder(views[0], training=training)
        query = self.projection_head(features, training=training)
        key = self._key(views[1], training)
        loss = info_nce(query, key, self.temperature, negatives=negatives)
        keys = [key]
        if self.symmetric:
            query_2 = self.projection_head(
                self.encoder(views[1], training=training), training=training
            )
            key_2 = self._key(views[0], training)
            loss_2 = info_nce(query_2, key_2, self.temperature, negatives=negatives)
            loss = (loss + loss_2) / 2.0
            keys.append(key_2)
        if training:
            for k in keys:
                self.queue.enqueue(k)
        return loss, {"features": features, "embeddings": query}

    def get_config(self):
        return {
            **super().get_config(),
            "temperature": self.temperature,
            "queue_size": self.queue_size,
            "projection_hidden_dim": self.projection_hidden_dim,
            "projection_dim": self.projection_dim,
            "symmetric": self.symmetric,
        }
