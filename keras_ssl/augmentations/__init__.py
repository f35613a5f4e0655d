"""View makers for self-supervised learning.

Keras preprocessing layers (`keras.layers.RandomFlip`, `RandomGrayscale`,
...) are used as they are; this package adds what Keras lacks: a per-image
`RandomResizedCrop`, `RandomApply`, a torchvision-style `ColorJitter`, a
per-image `GaussianBlur`, a fixed-threshold `Solarize`, `MultiView`, and the
paper presets. Images are expected in `value_range`, `(0, 255)` by default
(float, or uint8 cast to float32), and come out as float32 in that range.
"""

from keras_ssl.augmentations.color_jitter import ColorJitter
from keras_ssl.augmentations.dino_augmentation import dino_augmentation
from keras_ssl.augmentations.gaussian_blur import GaussianBlur
from keras_ssl.augmentations.gaussian_blur import kernel_size_for
from keras_ssl.augmentations.msn_augmentation import msn_augmentation
from keras_ssl.augmentations.multi_view import MultiView
from keras_ssl.augmentations.paper_presets import byol_augmentation
from keras_ssl.augmentations.paper_presets import moco_v2_augmentation
from keras_ssl.augmentations.paper_presets import simclr_augmentation
from keras_ssl.augmentations.random_apply import RandomApply
from keras_ssl.augmentations.random_resized_crop import RandomResizedCrop
from keras_ssl.augmentations.solarize import Solarize
from keras_ssl.augmentations.swav_augmentation import swav_augmentation

__all__ = [
    "ColorJitter",
    "GaussianBlur",
    "MultiView",
    "RandomApply",
    "RandomResizedCrop",
    "Solarize",
    "byol_augmentation",
    "dino_augmentation",
    "kernel_size_for",
    "moco_v2_augmentation",
    "msn_augmentation",
    "simclr_augmentation",
    "swav_augmentation",
]
