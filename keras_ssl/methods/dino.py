"""DINO: self-distillation with a momentum teacher over multi-crop views."""

from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.augmentations.dino_augmentation import default_local_crop_size
from keras_ssl.augmentations.dino_augmentation import dino_augmentation
from keras_ssl.backend.collectives import global_mean
from keras_ssl.layers.dino_projection_head import DINOProjectionHead
from keras_ssl.losses.dino_loss import dino_loss
from keras_ssl.methods.epoch_schedule import add_step_counter
from keras_ssl.methods.epoch_schedule import count_train_step
from keras_ssl.methods.epoch_schedule import in_first_epochs
from keras_ssl.methods.epoch_schedule import steps_in_epochs
from keras_ssl.methods.momentum_target import momentum_copy
from keras_ssl.methods.multi_crop import check_accepts_smaller_crops
from keras_ssl.methods.multi_crop import encode_by_size
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.utils.validation import check_non_negative_int
from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_positive_int
from keras_ssl.utils.validation import check_unit_interval

NUM_GLOBAL_CROPS = 2


@keras_ssl_export
class DINO(SSLModel):
    """DINO: a student matches a momentum teacher's centred, sharpened output.

    The augmenter makes 2 global crops and N smaller local crops of each
    image. The student (encoder + `DINOProjectionHead`) sees every crop; the
    teacher, an EMA of the student, sees the global crops only. For every
    (teacher crop, student crop) pair of different crops, the student's
    softmax at temperature `student_temperature` is trained towards the
    teacher's softmax of `(output - center) / teacher_temperature`. The
    centre is an EMA (`center_momentum`) of the teacher's batch mean, a
    non-trainable variable updated in the step; centring and sharpening
    together avoid collapse. The teacher temperature rises linearly from
    `warmup_teacher_temperature` to `teacher_temperature` over the first
    `teacher_temperature_warmup_epochs` epochs. The prototype matrix of the
    student's head (the paper's last layer) gets no gradient during the
    first `freeze_last_layer_epochs` epochs, by the same mechanism as
    SwAV's prototypes (`keras_ssl.layers.prototypes.freeze_gradient`,
    scheduled by epoch with the model's step counter).

    Local crops are smaller than global ones, so the encoder must accept
    several image sizes: build it with `image_shape=(None, None, channels)`
    (a CNN with global pooling does; a ViT with fixed position embeddings
    does only with `num_local_crops=0`).

    Paper defaults: head 3 layers, hidden 2048, bottleneck 256, K = 65536;
    student temperature 0.1; teacher temperature 0.04 warmed up to 0.07 over
    30 epochs (ViT-S/16 setting of the released code); centre momentum 0.9;
    teacher momentum 0.996 -> 1 (cosine); 2 global + 8 local crops (6 by
    default here); last layer frozen during the first epoch; AdamW, lr
    5e-4 x batch/256, weight decay 0.04 -> 0.4. With AdamW's weight decay
    the frozen matrix is still scaled (not in the paper, which skips its
    update); its normalised columns, all the forward pass uses, do not move.

    Args:
        encoder: keras.Model. Maps images of any size to features.
        augmenter: optional layer mapping images to `2 + num_local_crops`
            views, global first. Defaults to `None`
            (`keras_ssl.augmentations.dino_augmentation`).
        image_size: int. Side of the global crops of the default augmenter.
            Defaults to `32`.
        num_local_crops: int. Local crops of the default augmenter. Defaults
            to `6`.
        local_crop_size: int or `None`. Defaults to `None` (96/224 of
            `image_size`).
        head_hidden_dim: int. Defaults to `2048`.
        head_bottleneck_dim: int. Defaults to `256`.
        head_output_dim: int. K, the number of prototypes. Defaults to
            `65536`.
        head_batch_norm: bool. BatchNorm after each hidden layer of the head
            (the paper's `use_bn_in_head`, for CNN encoders). Defaults to
            `False`.
        head_norm_last_layer: bool. Fixed (True) or learnable (False) gain of
            the weight-normalised last layer (the paper's `norm_last_layer`).
            Defaults to `True`.
        student_temperature: float. Defaults to `0.1`.
        teacher_temperature: float. Teacher temperature after warm-up.
            Defaults to `0.07`.
        warmup_teacher_temperature: float. Teacher temperature at step 0.
            Defaults to `0.04`.
        teacher_temperature_warmup_epochs: int. Defaults to `30`.
        freeze_last_layer_epochs: int >= 0. Epochs during which the head's
            prototype matrix is frozen. Defaults to `1`.
        center_momentum: float in [0, 1]. Defaults to `0.9`.
        base_momentum: float. Teacher EMA momentum at step 0. Defaults to
            `0.996`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(None, None, 3))
    model = keras_ssl.methods.DINO(encoder, image_size=32, head_output_dim=4096)
    model.compile(optimizer=keras.optimizers.AdamW(5e-4, weight_decay=0.04))
    model.fit(images, epochs=100, batch_size=256)
    ```

    Reference:
        Caron et al., Emerging Properties in Self-Supervised Vision
        Transformers, 2021. https://arxiv.org/abs/2104.14294
    """

    num_views = None
    same_size_views = False
    log_names = ("teacher_temperature",)

    def __init__(
        self,
        encoder,
        augmenter=None,
        image_size=32,
        num_local_crops=6,
        local_crop_size=None,
        head_hidden_dim=2048,
        head_bottleneck_dim=256,
        head_output_dim=65536,
        head_batch_norm=False,
        head_norm_last_layer=True,
        student_temperature=0.1,
        teacher_temperature=0.07,
        warmup_teacher_temperature=0.04,
        teacher_temperature_warmup_epochs=30,
        freeze_last_layer_epochs=1,
        center_momentum=0.9,
        base_momentum=0.996,
        **kwargs,
    ):
        self.image_size = check_positive_int("image_size", image_size)
        self.num_local_crops = check_non_negative_int("num_local_crops", num_local_crops)
        self.local_crop_size = local_crop_size or default_local_crop_size(image_size)
        if augmenter is None:
            check_accepts_smaller_crops(
                "DINO", encoder, self.local_crop_size, num_local_crops, "num_local_crops"
            )
            augmenter = dino_augmentation(
                image_size,
                local_crop_size=self.local_crop_size,
                num_local_crops=num_local_crops,
                channels=encoder.input_shape[-1],
            )
        super().__init__(
            encoder, augmenter=augmenter, base_momentum=base_momentum, **kwargs
        )
        self.student_temperature = check_positive_float(
            "student_temperature", student_temperature
        )
        self.teacher_temperature = check_positive_float(
            "teacher_temperature", teacher_temperature
        )
        self.warmup_teacher_temperature = check_positive_float(
            "warmup_teacher_temperature", warmup_teacher_temperature
        )
        self.teacher_temperature_warmup_epochs = check_non_negative_int(
            "teacher_temperature_warmup_epochs", teacher_temperature_warmup_epochs
        )
        self.freeze_last_layer_epochs = check_non_negative_int(
            "freeze_last_layer_epochs", freeze_last_layer_epochs
        )
        self.center_momentum = check_unit_interval("center_momentum", center_momentum)
        self.head_config = {
            "hidden_dim": head_hidden_dim,
            "bottleneck_dim": head_bottleneck_dim,
            "output_dim": head_output_dim,
            "use_batch_norm": bool(head_batch_norm),
            "norm_last_layer": bool(head_norm_last_layer),
        }
        self.projection_head = DINOProjectionHead(**self.head_config, name="projection_head")
        self.projection_head.build((None, self.feature_dim))
        self.target_encoder = momentum_copy(self.encoder, "target_encoder")
        self.target_projection_head = momentum_copy(
            self.projection_head,
            "target_projection_head",
            input_shape=(None, self.feature_dim),
        )
        self.center = self.add_weight(
            shape=(1, head_output_dim), initializer="zeros", trainable=False, name="center"
        )
        add_step_counter(self)

    @property
    def momentum_pairs(self):
        return [
            (self.encoder, self.target_encoder),
            (self.projection_head, self.target_projection_head),
        ]

    @property
    def schedules_by_epoch(self):
        return bool(
            self.teacher_temperature_warmup_epochs or self.freeze_last_layer_epochs
        )

    def current_teacher_temperature(self):
        """Linear warm-up over the first epochs, then constant."""
        warmup_steps = steps_in_epochs(self, self.teacher_temperature_warmup_epochs)
        progress = ops.minimum(
            ops.convert_to_tensor(self.train_steps_done) / ops.maximum(warmup_steps, 1.0), 1.0
        )
        start, end = self.warmup_teacher_temperature, self.teacher_temperature
        return start + (end - start) * progress

    def compute_ssl_loss(self, views, training=False):
        if len(views) < NUM_GLOBAL_CROPS:
            raise ValueError(
                f"DINO takes 2 global crops and any number of local crops. "
                f"Received {len(views)} views."
            )
        frozen = in_first_epochs(self, self.freeze_last_layer_epochs)

        def student_head(x, training):
            return self.projection_head(x, training=training, frozen=frozen)

        features, student = encode_by_size(views, self.encoder, student_head, training)
        global_images = ops.concatenate(views[:NUM_GLOBAL_CROPS], axis=0)
        teacher_out = ops.stop_gradient(
            self.target_projection_head(
                self.target_encoder(global_images, training=training), training=training
            )
        )
        teacher = ops.split(teacher_out, NUM_GLOBAL_CROPS, axis=0)
        temperature = self.current_teacher_temperature()
        loss = dino_loss(
            student, teacher, self.center, self.student_temperature, temperature
        )
        if training:
            self._update_center(teacher_out)
            count_train_step(self)
        logs = {"features": features[0], "embeddings": student[0]}
        return loss, {**logs, "teacher_temperature": temperature}

    def _update_center(self, teacher_out):
        # The mean over the global batch: the same centre on every replica.
        batch_center = global_mean(
            ops.cast(teacher_out, "float32"), axis=0, keepdims=True
        )
        m = self.center_momentum
        self.center.assign(m * self.center + (1.0 - m) * batch_center)

    def default_augmenter(self, image_shape):
        return dino_augmentation(self.image_size, channels=image_shape[-1])

    def get_config(self):
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "num_local_crops": self.num_local_crops,
            "local_crop_size": self.local_crop_size,
            "head_hidden_dim": self.head_config["hidden_dim"],
            "head_bottleneck_dim": self.head_config["bottleneck_dim"],
            "head_output_dim": self.head_config["output_dim"],
            "head_batch_norm": self.head_config["use_batch_norm"],
            "head_norm_last_layer": self.head_config["norm_last_layer"],
            "student_temperature": self.student_temperature,
            "teacher_temperature": self.teacher_temperature,
            "warmup_teacher_temperature": self.warmup_teacher_temperature,
            "teacher_temperature_warmup_epochs": self.teacher_temperature_warmup_epochs,
            "freeze_last_layer_epochs": self.freeze_last_layer_epochs,
            "center_momentum": self.center_momentum,
        }

