"""Data sets: the embedded `shapes` set, image folders and tensorflow-datasets.

Every loader returns numpy arrays: uint8 images of shape (N, H, W, C) and
int32 labels of shape (N,) (or None for unlabelled data). tensorflow and
tensorflow-datasets are imported only when a folder or a tfds data set is
read, so the embedded set needs numpy alone.
"""

from keras_ssl.datasets.image_folder import load_image_folder
from keras_ssl.datasets.loader import load
from keras_ssl.datasets.shapes import SHAPES_CLASS_NAMES
from keras_ssl.datasets.shapes import load_shapes
from keras_ssl.datasets.tfds_loader import load_tfds
