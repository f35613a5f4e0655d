"""Evaluation of self-supervised encoders: kNN, linear probe, monitors."""

from keras_ssl.evaluation.collapse import std_of_l2_normalized
from keras_ssl.evaluation.collapse_monitor import CollapseMonitor
from keras_ssl.evaluation.features import extract_features
from keras_ssl.evaluation.knn import knn_accuracy
from keras_ssl.evaluation.knn import knn_predict
from keras_ssl.evaluation.knn import raw_pixel_knn_accuracy
from keras_ssl.evaluation.knn_monitor import KNNMonitor
from keras_ssl.evaluation.linear_probe import linear_probe

__all__ = [
    "CollapseMonitor",
    "KNNMonitor",
    "extract_features",
    "knn_accuracy",
    "knn_predict",
    "linear_probe",
    "raw_pixel_knn_accuracy",
    "std_of_l2_normalized",
]
