"""Keras callback reporting kNN accuracy of the encoder during training."""

import keras

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.evaluation import _data
from keras_ssl.evaluation.knn import knn_accuracy

LOG_KEY = "knn_accuracy"


@keras_ssl_export
class KNNMonitor(keras.callbacks.Callback):
    """Evaluates weighted kNN accuracy of the encoder every few epochs.

    At the end of every `every_n_epochs`-th epoch, and of the last epoch,
    computes `keras_ssl.evaluation.knn_accuracy` of the encoder on `train` and
    `test`, adds it to the epoch logs as `"knn_accuracy"` (so `History`, the
    progress bar and later callbacks such as `EarlyStopping` or
    `ModelCheckpoint(monitor="knn_accuracy")` see it) and prints it.

    The encoder is `encoder` when given, else the `encoder` attribute of the
    model being trained. The encoder runs in inference mode and its weights
    are not changed. On JAX, the trained state is written back to the model
    before the encoder is evaluated, so the current weights are used.

    Args:
        train: `(images, labels)` tuple, or a batched data set yielding
            `(images, labels)`: the neighbours' bank.
        test: labelled split in the same form: the samples classified.
        every_n_epochs: int. Evaluate once every this many epochs. Defaults
            to `1`.
        k: int. Number of neighbours. Defaults to `200`.
        temperature: float. Vote temperature, > 0. Defaults to `0.1`.
        encoder: `keras.Model` or None. Encoder to evaluate; None to use
            `model.encoder`. Defaults to `None`.
        num_classes: int or None. Inferred from the labels when None.
            Defaults to `None`.
        batch_size: int. Images per encoder call and test samples per
            similarity chunk. Defaults to `256`.
        verbose: int. 1 prints the accuracy after each evaluation, 0 is
            silent. Defaults to `1`.

    Example:

    ```python
    monitor = keras_ssl.evaluation.KNNMonitor(
        (x_train, y_train), (x_test, y_test), every_n_epochs=5
    )
    history = model.fit(x_train, epochs=50, callbacks=[monitor])
    history.history["knn_accuracy"]
    ```

    Reference:
        Wu et al., Unsupervised Feature Learning via Non-Parametric Instance
        Discrimination, 2018. https://arxiv.org/abs/1805.01978
    """

    def __init__(
        self,
        train,
        test,
        every_n_epochs=1,
        k=200,
        temperature=0.1,
        encoder=None,
        num_classes=None,
        batch_size=256,
        verbose=1,
    ):
        super().__init__()
        self.train = train
        self.test = test
        self.every_n_epochs = _data.positive_int(
            "every_n_epochs", every_n_epochs
        )
        self.k = _data.positive_int("k", k)
        self.temperature = _data.positive_float("temperature", temperature)
        self.encoder = encoder
        self.num_classes = num_classes
        self.batch_size = _data.positive_int("batch_size", batch_size)
        if verbose not in (0, 1) or isinstance(verbose, bool):
            raise ValueError(
                f"`verbose` must be 0 or 1. Received: verbose={verbose!r}."
            )
        self.verbose = verbose

    def on_epoch_end(self, epoch, logs=None):
        if not self._is_due(epoch):
            return
        accuracy = knn_accuracy(
            self._current_encoder(),
            self.train,
            self.test,
            k=self.k,
            temperature=self.temperature,
            num_classes=self.num_classes,
            batch_size=self.batch_size,
            verbose=0,
        )
        if logs is not None:
            logs[LOG_KEY] = accuracy
        if self.verbose:
            print(f"Epoch {epoch + 1}: {LOG_KEY} = {accuracy:.4f}")

    def _is_due(self, epoch):
        last_epoch = (self.params or {}).get("epochs")
        return (epoch + 1) % self.every_n_epochs == 0 or epoch + 1 == last_epoch

    def _current_encoder(self):
        # Reading `self.model` syncs the JAX trainer's state into the model's
        # variables; the explicit call also covers models whose trainer
        # keeps state aside without going through that property.
        model = self.model
        if model is not None and hasattr(model, "jax_state_sync"):
            model.jax_state_sync()
        encoder = self.encoder
        if encoder is None:
            encoder = getattr(model, "encoder", None)
        if encoder is None:
            raise ValueError(
                "KNNMonitor has no encoder to evaluate: pass `encoder=` or "
                "train a model with an `encoder` attribute. Received a model "
                f"of type {type(model).__name__} without one."
            )
        return encoder

    def get_config(self):
        # The data splits make this config unsuitable for JSON; it exists so
        # that the callback can be rebuilt in Python with the same settings.
        return {
            "train": self.train,
            "test": self.test,
            "every_n_epochs": self.every_n_epochs,
            "k": self.k,
            "temperature": self.temperature,
            "encoder": self.encoder,
            "num_classes": self.num_classes,
            "batch_size": self.batch_size,
            "verbose": self.verbose,
        }
