"""Image encoders: ResNets, a small CNN, and an adapter for any image model.

Every encoder built here is a functional `keras.Model` taking float images
with values in `[0, 255]` (it starts with `Rescaling(1 / 255)`) and returning
a `(batch, dim)` feature vector.
"""

from keras_ssl.encoders.feature_encoder import as_feature_encoder
from keras_ssl.encoders.feature_encoder import check_image_shape
from keras_ssl.encoders.resnet import ResNet
from keras_ssl.encoders.resnet import ResNet18
from keras_ssl.encoders.resnet import ResNet34
from keras_ssl.encoders.resnet import ResNet50
from keras_ssl.encoders.small_cnn import SmallCNN

__all__ = [
    "ResNet",
    "ResNet18",
    "ResNet34",
    "ResNet50",
    "SmallCNN",
    "as_feature_encoder",
    "check_image_shape",
]
