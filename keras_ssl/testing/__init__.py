"""Helpers for testing keras_ssl components and methods built on it."""

from keras_ssl.testing.method_checks import deterministic_weights
from keras_ssl.testing.method_checks import tiny_augmenter
from keras_ssl.testing.method_checks import tiny_encoder
from keras_ssl.testing.method_checks import weights_of
