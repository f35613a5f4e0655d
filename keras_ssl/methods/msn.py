"""MSN: masked anchor views match an EMA target's prototype assignment."""

from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.augmentations.msn_augmentation import msn_augmentation
from keras_ssl.augmentations.multi_crop import default_local_crop_size
from keras_ssl.layers.msn_projection_head import MSNProjectionHead
from keras_ssl.layers.prototypes import Prototypes
from keras_ssl.layers.random_patch_mask import RandomPatchMask
from keras_ssl.losses.msn_loss import msn_loss
from keras_ssl.methods.momentum_target import momentum_copy
from keras_ssl.methods.multi_crop import check_accepts_smaller_crops
from keras_ssl.methods.multi_crop import encode_by_size
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.utils.validation import check_non_negative_float
from keras_ssl.utils.validation import check_non_negative_int
from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_positive_int
from keras_ssl.utils.validation import check_unit_interval


@keras_ssl_export
class MSN(SSLModel):
    """MSN: masked views predict an unmasked EMA target's prototype assignment.

    Views: the first is the target view, the second the anchor view (both
    random crops of `image_size`), then `num_focal_crops` smaller focal
    crops, also anchors. The anchor view is masked (`RandomPatchMask`:
    `mask_ratio` of its `mask_patch_size` patches set to `mask_fill_value`);
    the encoder and `MSNProjectionHead` embed every anchor; an EMA copy of
    both (the target network, no gradient) embeds the unmasked target view.
    All embeddings are scored against `num_prototypes` learnable prototypes
    (cosine similarity, `keras_ssl.layers.Prototypes`, weight-normalised as
    in MSN's code). Each anchor's softmax at `anchor_temperature` is trained
    towards the target's sharpened softmax at `target_temperature`
    (balanced by Sinkhorn-Knopp as in the released code), plus
    `me_max_weight` times the mean-entropy-maximisation term
    (`keras_ssl.losses.msn_loss`). Logs `prediction` and `me_max`.

    Masking differs from the paper: MSN's ViT drops the masked patch tokens
    (less compute, and the encoder never sees them); here masking is in
    pixel space, before the encoder, so that any encoder (a CNN included)
    works: the masked patches are filled, not removed. The online probe and
    the collapse monitor see the (masked) anchor view.

    Paper defaults (ViT-S/16 release): projector 3 layers, hidden 2048 with
    BatchNorm and GELU, output 256; 1024 prototypes; anchor temperature 0.1,
    target temperature 0.025 (0.1 sharpened with T = 0.25); ME-MAX weight 1;
    3 Sinkhorn iterations on the targets; mask ratio 0.15 of 16-pixel
    patches; 1 anchor + 10 focal views (96 at 224) with crop scales
    (0.3, 1) and (0.05, 0.3); target EMA 0.996 -> 1 (the paper ramps it
    linearly over 1.25 x the run; the cosine schedule of `SSLModel` here);
    AdamW, lr 1e-3, weight decay 0.04 -> 0.4, gradient clipping 3.

    Args:
        encoder: keras.Model. Maps images to features.
        augmenter: optional layer mapping images to `2 + n` views (target,
            anchor, focal...). Defaults to `None`
            (`keras_ssl.augmentations.msn_augmentation`).
        image_size: int. Side of the random crops of the default augmenter.
            Defaults to `32`.
        num_focal_crops: int. Focal crops of the default augmenter. Defaults
            to `10`.
        focal_crop_size: int or `None`. Defaults to `None` (96/224 of
            `image_size`).
        projection_hidden_dim: int. Defaults to `2048`.
        projection_dim: int. Defaults to `256`.
        num_prototypes: int. Defaults to `1024`.
        anchor_temperature: float. Defaults to `0.1`.
        target_temperature: float. Defaults to `0.025`.
        me_max_weight: float >= 0. Defaults to `1.0`.
        sinkhorn_iterations: int >= 0 (0: none). Defaults to `3`.
        mask_ratio: float in [0, 1). Defaults to `0.15`.
        mask_patch_size: int. Defaults to `16`.
        mask_fill_value: float. Defaults to `127.5` (mid-grey in [0, 255]).
        mask_seed: int or `None`. Seed of the masks. Defaults to `None`.
        base_momentum: float. Target EMA momentum at step 0. Defaults to
            `0.996`.
        **kwargs: `num_classes` (online probe) and other `SSLModel` args.

    Example:
    ```python
    encoder = keras_ssl.encoders.ResNet18(image_shape=(None, None, 3))
    model = keras_ssl.methods.MSN(encoder, image_size=32, mask_patch_size=4)
    model.compile(optimizer=keras.optimizers.AdamW(1e-3, weight_decay=0.04))
    model.fit(images, epochs=100, batch_size=256)
    ```

    Reference:
        Assran et al., Masked Siamese Networks for Label-Efficient Learning,
        2022. https://arxiv.org/abs/2204.07141
    """

    num_views = None
    same_size_views = False
    log_names = ("prediction", "me_max")

    def __init__(
        self,
        encoder,
        augmenter=None,
        image_size=32,
        num_focal_crops=10,
        focal_crop_size=None,
        projection_hidden_dim=2048,
        projection_dim=256,
        num_prototypes=1024,
        anchor_temperature=0.1,
        target_temperature=0.025,
        me_max_weight=1.0,
        sinkhorn_iterations=3,
        mask_ratio=0.15,
        mask_patch_size=16,
        mask_fill_value=127.5,
        mask_seed=None,
        base_momentum=0.996,
        **kwargs,
    ):
        self.image_size = check_positive_int("image_size", image_size)
        self.num_focal_crops = check_non_negative_int("num_focal_crops", num_focal_crops)
        if focal_crop_size is None:
            focal_crop_size = default_local_crop_size(image_size)
        self.focal_crop_size = check_positive_int("focal_crop_size", focal_crop_size)
        if augmenter is None:
            check_accepts_smaller_crops(
                "MSN", encoder, focal_crop_size, num_focal_crops, "num_focal_crops"
            )
            augmenter = msn_augmentation(
                image_size,
                focal_crop_size=focal_crop_size,
                num_focal_crops=num_focal_crops,
                channels=encoder.input_shape[-1],
            )
        super().__init__(
            encoder, augmenter=augmenter, base_momentum=base_momentum, **kwargs
        )
        self.projection_hidden_dim = check_positive_int(
            "projection_hidden_dim", projection_hidden_dim
        )
        self.projection_dim = check_positive_int("projection_dim", projection_dim)
        self.num_prototypes = check_positive_int("num_prototypes", num_prototypes)
        self.anchor_temperature = check_positive_float(
            "anchor_temperature", anchor_temperature
        )
        self.target_temperature = check_positive_float(
            "target_temperature", target_temperature
        )
        self.me_max_weight = check_non_negative_float("me_max_weight", me_max_weight)
        self.sinkhorn_iterations = check_non_negative_int(
            "sinkhorn_iterations", sinkhorn_iterations
        )
        self.patch_mask = RandomPatchMask(
            check_positive_int("mask_patch_size", mask_patch_size),
            check_unit_interval("mask_ratio", mask_ratio, closed_right=False),
            mask_fill_value,
            seed=mask_seed,
            name="patch_mask",
        )
        self.projection_head = MSNProjectionHead(
            projection_hidden_dim, projection_dim, name="projection_head"
        )
        self.projection_head.build((None, self.feature_dim))
        self.prototypes = Prototypes(num_prototypes, keep_unit_norm=False, name="prototypes")
        self.prototypes.build((None, projection_dim))
        self.target_encoder = momentum_copy(self.encoder, "target_encoder")
        self.target_projection_head = momentum_copy(
            self.projection_head,
            "target_projection_head",
            input_shape=(None, self.feature_dim),
        )

    @property
    def momentum_pairs(self):
        return [
            (self.encoder, self.target_encoder),
            (self.projection_head, self.target_projection_head),
        ]

    def default_augmenter(self, image_shape):
        return msn_augmentation(self.image_size, channels=image_shape[-1])

    def compute_ssl_loss(self, views, training=False):
        if len(views) < 2:
            raise ValueError(
                "MSN takes a target view, an anchor view and any number of "
                f"focal views. Received {len(views)} views."
            )
        # The mask is part of the objective: applied whether or not training.
        anchors = [self.patch_mask(views[1])] + list(views[2:])
        features, z = encode_by_size(anchors, self.encoder, self.projection_head, training)
        target = self.target_projection_head(
            self.target_encoder(views[0], training=training), training=training
        )
        scores = ops.split(
            self.prototypes(ops.concatenate(z, axis=0)), len(anchors), axis=0
        )
        target_scores = self.prototypes(ops.stop_gradient(target))
        loss, terms = msn_loss(
            scores,
            ops.stop_gradient(target_scores),
            self.anchor_temperature,
            self.target_temperature,
            self.me_max_weight,
            self.sinkhorn_iterations,
            return_terms=True,
        )
        return loss, {"features": features[0], "embeddings": z[0], **terms}

    def get_config(self):
        mask = self.patch_mask
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "num_focal_crops": self.num_focal_crops,
            "focal_crop_size": self.focal_crop_size,
            "projection_hidden_dim": self.projection_hidden_dim,
            "projection_dim": self.projection_dim,
            "num_prototypes": self.num_prototypes,
            "anchor_temperature": self.anchor_temperature,
            "target_temperature": self.target_temperature,
            "me_max_weight": self.me_max_weight,
            "sinkhorn_iterations": self.sinkhorn_iterations,
            "mask_ratio": mask.mask_ratio,
            "mask_patch_size": mask.patch_size,
            "mask_fill_value": mask.fill_value,
            "mask_seed": mask.seed,
        }
