"""SwAV: swapped prediction of online cluster assignments over multi-crop views."""

from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.augmentations.multi_crop import default_local_crop_size
from keras_ssl.augmentations.swav_augmentation import swav_augmentation
from keras_ssl.layers.memory_queue import MemoryQueue
from keras_ssl.layers.prototypes import Prototypes
from keras_ssl.layers.swav_projection_head import SwAVProjectionHead
from keras_ssl.losses.common import l2_normalize
from keras_ssl.losses.swav_loss import swav_loss
from keras_ssl.methods.epoch_schedule import add_step_counter
from keras_ssl.methods.epoch_schedule import count_train_step
from keras_ssl.methods.epoch_schedule import in_first_epochs
from keras_ssl.methods.multi_crop import check_accepts_smaller_crops
from keras_ssl.methods.multi_crop import encode_by_size
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.utils.validation import check_non_negative_int
from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_positive_int

NUM_ASSIGNMENT_CROPS = 2


@keras_ssl_export
class SwAV(SSLModel):
    """SwAV: each crop predicts the cluster codes of the global crops.

    Every crop goes through the encoder and `SwAVProjectionHead`; the
    L2-normalised embeddings are scored against `num_prototypes` learnable
    unit vectors (`keras_ssl.layers.Prototypes`, cosine similarities). The
    codes of each of the 2 global crops are equal-partition soft assignments
    computed from its scores by Sinkhorn-Knopp (float32, `sinkhorn_epsilon`,
    `sinkhorn_iterations` fixed iterations, no gradient); every other crop
    predicts them with a softmax at `temperature` (`keras_ssl.losses.
    swav_loss`).

    Prototypes: kept at unit norm by a `UnitNorm` constraint that the
    optimizer applies after every update (SwAV's code normalises them in
    place before each step; same values), and frozen (zero gradient) during
    the first `freeze_prototypes_epochs` epochs, scheduled by epoch with the
    model's step counter and `steps_per_epoch` (both saved with the model).

    Queue (`queue_size > 0`, for small batches): from epoch
    `queue_start_epoch` on, the normalised embeddings of each global crop
    are pushed into its own `MemoryQueue`; once a queue is full its
    embeddings, scored against the current prototypes, join that crop's
    Sinkhorn step (only the batch's codes are kept), as in the paper.

    Crops come in two sizes, so with local crops the encoder must accept
    any image size: build it with `image_shape=(None, None, channels)`.

    Paper defaults: projector 2048 -> 128 with BatchNorm; 3000 prototypes;
    temperature 0.1; epsilon 0.05, 3 Sinkhorn iterations; 2 x 224 + 6 x 96
    crops of scales (0.14, 1) and (0.05, 0.14); prototypes frozen during the
    first epoch; no queue at batch 4096 (3840 from epoch 15 at batch 256);
    LARS-SGD, lr 4.8 at batch 4096, weight decay 1e-6. With AdamW's weight
    decay the frozen prototypes are still scaled, and re-normalised by the
    constraint: their values do not change.

    Args:
        encoder: keras.Model. Maps images to features.
        augmenter: optional layer mapping images to `2 + n` views, global
            first. Defaults to `None`
            (`keras_ssl.augmentations.swav_augmentation`).
        image_size: int. Side of the global crops of the default augmenter.
            Defaults to `32`.
        num_local_crops: int. Local crops of the default augmenter. Defaults
            to `6`.
        local_crop_size: int or `None`. Defaults to `None` (96/224 of
            `image_size`).
        projection_hidden_dim: int. Defaults to `2048`.
        projection_dim: int. Width of the embeddings. Defaults to `128`.
        num_prototypes: int. Defaults to `3000`.
        temperature: float. Defaults to `0.1`.
        sinkhorn_epsilon: float. Defaults to `0.05`.
        sinkhorn_iterations: int. Defaults to `3`.
        queue_size: int >= 0. Embeddings queued per global crop; 0 for no
            queue. Defaults to `0`.
        queue_start_epoch: int >= 0. Epoch from which the queue is filled.
            Defaults to `15`.
        freeze_prototypes_epochs: int >= 0. Defaults to `1`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(None, None, 3))
    model = keras_ssl.methods.SwAV(encoder, image_size=32, queue_size=3840)
    model.compile(optimizer=keras.optimizers.SGD(0.6, momentum=0.9))
    model.fit(images, epochs=200, batch_size=256)
    ```

    Reference:
        Caron et al., Unsupervised Learning of Visual Features by Contrasting
        Cluster Assignments, 2020. https://arxiv.org/abs/2006.09882
    """

    num_views = None
    same_size_views = False

    def __init__(
        self,
        encoder,
        augmenter=None,
        image_size=32,
        num_local_crops=6,
        local_crop_size=None,
        projection_hidden_dim=2048,
        projection_dim=128,
        num_prototypes=3000,
        temperature=0.1,
        sinkhorn_epsilon=0.05,
        sinkhorn_iterations=3,
        queue_size=0,
        queue_start_epoch=15,
        freeze_prototypes_epochs=1,
        **kwargs,
    ):
        self.image_size = check_positive_int("image_size", image_size)
        self.num_local_crops = check_non_negative_int("num_local_crops", num_local_crops)
        if local_crop_size is None:
            local_crop_size = default_local_crop_size(image_size)
        self.local_crop_size = check_positive_int("local_crop_size", local_crop_size)
        if augmenter is None:
            check_accepts_smaller_crops(
                "SwAV", encoder, local_crop_size, num_local_crops, "num_local_crops"
            )
            augmenter = swav_augmentation(
                image_size,
                local_crop_size=local_crop_size,
                num_local_crops=num_local_crops,
                channels=encoder.input_shape[-1],
            )
        super().__init__(encoder, augmenter=augmenter, **kwargs)
        self.projection_hidden_dim = check_positive_int(
            "projection_hidden_dim", projection_hidden_dim
        )
        self.projection_dim = check_positive_int("projection_dim", projection_dim)
        self.num_prototypes = check_positive_int("num_prototypes", num_prototypes)
        self.temperature = check_positive_float("temperature", temperature)
        self.sinkhorn_epsilon = check_positive_float("sinkhorn_epsilon", sinkhorn_epsilon)
        self.sinkhorn_iterations = check_positive_int(
            "sinkhorn_iterations", sinkhorn_iterations
        )
        self.queue_size = check_non_negative_int("queue_size", queue_size)
        self.queue_start_epoch = check_non_negative_int(
            "queue_start_epoch", queue_start_epoch
        )
        self.freeze_prototypes_epochs = check_non_negative_int(
            "freeze_prototypes_epochs", freeze_prototypes_epochs
        )
        self.projection_head = SwAVProjectionHead(
            projection_hidden_dim, projection_dim, name="projection_head"
        )
        self.projection_head.build((None, self.feature_dim))
        self.prototypes = Prototypes(num_prototypes, name="prototypes")
        self.prototypes.build((None, projection_dim))
        self.queues = [
            MemoryQueue(self.queue_size, projection_dim, name=f"queue_{i + 1}")
            for i in range(NUM_ASSIGNMENT_CROPS if self.queue_size else 0)
        ]
        # Embeddings pushed into each queue so far (capped at its size).
        self.queue_filled = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="queue_filled"
        )
        add_step_counter(self)

    @property
    def schedules_by_epoch(self):
        queue_waits = bool(self.queues) and self.queue_start_epoch > 0
        return self.freeze_prototypes_epochs > 0 or queue_waits

    def default_augmenter(self, image_shape):
        return swav_augmentation(self.image_size, channels=image_shape[-1])

    def compute_ssl_loss(self, views, training=False):
        if len(views) < NUM_ASSIGNMENT_CROPS:
            raise ValueError(
                "SwAV takes 2 global crops and any number of local crops. "
                f"Received {len(views)} views."
            )
        features, z = encode_by_size(views, self.encoder, self.projection_head, training)
        embeddings = [l2_normalize(z_v) for z_v in z]
        frozen = in_first_epochs(self, self.freeze_prototypes_epochs)
        scores = ops.split(
            self.prototypes(ops.concatenate(embeddings, axis=0), frozen=frozen),
            len(views),
            axis=0,
        )
        queue_scores, use_queue = self._queue_scores()
        loss = swav_loss(
            scores,
            self.temperature,
            self.sinkhorn_epsilon,
            self.sinkhorn_iterations,
            NUM_ASSIGNMENT_CROPS,
            queue_scores,
            use_queue,
        )
        if training:
            self._enqueue(embeddings[:NUM_ASSIGNMENT_CROPS])
            count_train_step(self)
        return loss, {"features": features[0], "embeddings": z[0]}

    def _queue_scores(self):
        """Scores of the queued embeddings (before this batch) and whether to use them."""
        if not self.queues:
            return None, None
        # Copied so that the in-place write of this step cannot alias them.
        keys = [ops.stop_gradient(ops.copy(q.keys)) for q in self.queues]
        scores = [ops.stop_gradient(self.prototypes(k)) for k in keys]
        full = ops.convert_to_tensor(self.queue_filled) >= float(self.queue_size)
        return scores, full

    def _enqueue(self, embeddings):
        if not self.queues:
            return
        started = ops.logical_not(in_first_epochs(self, self.queue_start_epoch))
        for queue, e in zip(self.queues, embeddings):
            queue.enqueue(ops.stop_gradient(e), enabled=started)
        batch = ops.cast(ops.shape(embeddings[0])[0], "float32")
        added = ops.where(started, batch, 0.0)
        self.queue_filled.assign(
            ops.minimum(self.queue_filled + added, float(self.queue_size))
        )

    def get_config(self):
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "num_local_crops": self.num_local_crops,
            "local_crop_size": self.local_crop_size,
            "projection_hidden_dim": self.projection_hidden_dim,
            "projection_dim": self.projection_dim,
            "num_prototypes": self.num_prototypes,
            "temperature": self.temperature,
            "sinkhorn_epsilon": self.sinkhorn_epsilon,
            "sinkhorn_iterations": self.sinkhorn_iterations,
            "queue_size": self.queue_size,
            "queue_start_epoch": self.queue_start_epoch,
            "freeze_prototypes_epochs": self.freeze_prototypes_epochs,
        }
