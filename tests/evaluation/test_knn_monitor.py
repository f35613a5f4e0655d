import keras
import numpy as np
import pytest

from keras_ssl import evaluation
from tests.evaluation.numpy_references import clustered_data


class Classifier(keras.Model):
    """Supervised stand-in for an SSL method: a model with an `encoder`."""

    def __init__(self):
        super().__init__()
        self.encoder = keras.Sequential(
            [
                keras.Input((8,)),
                keras.layers.Dense(8),
                keras.layers.BatchNormalization(),
            ]
        )
        self.head = keras.layers.Dense(3)

    def call(self, x, training=False):
        return self.head(self.encoder(x, training=training))


def data():
    return clustered_data(60, 30, 8, 3, spread=0.5)


def compiled_classifier():
    model = Classifier()
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def encoder_weights(model):
    weights = model.encoder.weights
    return [np.array(keras.ops.convert_to_numpy(w)) for w in weights]


def fit(model, train, epochs, monitor):
    return model.fit(
        *train, epochs=epochs, batch_size=20, callbacks=[monitor], verbose=0
    )


def test_knn_accuracy_is_recorded_in_history():
    train, test = data()
    model = compiled_classifier()
    monitor = evaluation.KNNMonitor(train, test, k=5, verbose=0)
    history = fit(model, train, 3, monitor)
    scores = history.history["knn_accuracy"]
    assert len(scores) == 3
    assert all(isinstance(s, float) and 0.0 <= s <= 1.0 for s in scores)
    # The last score is the accuracy of the trained encoder.
    assert scores[-1] == evaluation.knn_accuracy(
        model.encoder, train, test, k=5, verbose=0
    )


def test_every_n_epochs_and_last_epoch(capsys):
    train, test = data()
    model = compiled_classifier()
    monitor = evaluation.KNNMonitor(train, test, every_n_epochs=2, k=5)
    history = fit(model, train, 3, monitor)
    assert len(history.history["knn_accuracy"]) == 2  # epochs 2 and 3
    printed = capsys.readouterr().out
    assert "Epoch 2: knn_accuracy" in printed
    assert "Epoch 3: knn_accuracy" in printed
    assert "Epoch 1: knn_accuracy" not in printed


def test_callback_sees_the_weights_of_the_current_epoch():
    train, test = data()
    model = compiled_classifier()
    model(train[0][:2])  # builds the variables
    initial = encoder_weights(model)
    seen = []

    def recording_encoder(images):
        # Runs inside the callback, after the trainer's state was synced.
        seen.append(encoder_weights(model))
        return model.encoder(images, training=False)

    monitor = evaluation.KNNMonitor(
        train, test, k=5, encoder=recording_encoder, verbose=0
    )
    fit(model, train, 2, monitor)
    first_epoch, last_epoch = seen[0], seen[-1]
    assert not all(map(np.array_equal, initial, first_epoch))
    assert not all(map(np.array_equal, first_epoch, last_epoch))
    for a, b in zip(last_epoch, encoder_weights(model)):
        assert np.array_equal(a, b)


def test_model_without_encoder_is_refused():
    train, test = data()
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    monitor = evaluation.KNNMonitor(train, test, k=5, verbose=0)
    with pytest.raises(ValueError, match="encoder"):
        model.fit(*train, epochs=1, callbacks=[monitor], verbose=0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"every_n_epochs": 0}, "every_n_epochs"),
        ({"k": 0}, "k"),
        ({"temperature": -0.1}, "temperature"),
        ({"verbose": 2}, "verbose"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    train, test = data()
    with pytest.raises((ValueError, TypeError), match=match):
        evaluation.KNNMonitor(train, test, **kwargs)


def test_get_config_returns_every_argument():
    train, test = data()
    monitor = evaluation.KNNMonitor(train, test, every_n_epochs=3, k=7)
    config = monitor.get_config()
    assert config["every_n_epochs"] == 3 and config["k"] == 7
    assert config["train"] is train and config["test"] is test
