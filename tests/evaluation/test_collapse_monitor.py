import keras
import numpy as np
import pytest

from keras_ssl import evaluation


class LogEmbeddingStd(keras.callbacks.Callback):
    """Stands in for a method that logs `embedding_std`."""

    def __init__(self, values):
        super().__init__()
        self.values = values

    def on_epoch_end(self, epoch, logs=None):
        logs["embedding_std"] = self.values[epoch]


def fit_with(values, monitor):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((8, 4), "float32")
    y = np.ones((8, 1), "float32")
    callbacks = [LogEmbeddingStd(values), monitor]
    return model.fit(x, y, epochs=len(values), callbacks=callbacks, verbose=0)


def test_healthy_values_are_silent(recwarn):
    fit_with([0.1, 0.09, 0.1], evaluation.CollapseMonitor(threshold=0.01))
    assert not [w for w in recwarn if "collapse" in str(w.message)]


def test_collapse_warns_and_keeps_training():
    monitor = evaluation.CollapseMonitor(threshold=0.01)
    with pytest.warns(UserWarning, match="collapse"):
        history = fit_with([0.1, 1e-4, 1e-5], monitor)
    assert len(history.epoch) == 3
    assert monitor.collapsed_epoch == 1


def test_collapse_stops_training_when_asked():
    monitor = evaluation.CollapseMonitor(threshold=0.01, stop=True)
    with pytest.warns(UserWarning, match="Stopping training"):
        history = fit_with([0.1, 1e-4, 0.1, 0.1], monitor)
    assert len(history.epoch) == 2


def test_nan_counts_as_collapse():
    with pytest.warns(UserWarning, match="not finite"):
        fit_with([float("nan")], evaluation.CollapseMonitor())


def test_missing_key_warns_once():
    monitor = evaluation.CollapseMonitor(key="other_std")
    with pytest.warns(UserWarning, match="no `other_std`") as record:
        fit_with([0.1, 0.1], monitor)
    assert len([w for w in record if "other_std" in str(w.message)]) == 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"threshold": 0.0}, "threshold"),
        ({"key": ""}, "key"),
        ({"stop": "yes"}, "stop"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        evaluation.CollapseMonitor(**kwargs)


def test_get_config_round_trip():
    monitor = evaluation.CollapseMonitor(threshold=0.02, key="z_std", stop=True)
    clone = evaluation.CollapseMonitor(**monitor.get_config())
    assert clone.get_config() == monitor.get_config()
