"""Keras callback that warns, or stops training, when embeddings collapse."""

import math
import warnings

import keras

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.evaluation import _data


@keras_ssl_export
class CollapseMonitor(keras.callbacks.Callback):
    """Warns (or stops training) when the embedding spread falls too low.

    Reads the collapse statistic that keras_ssl methods log, by default
    `"embedding_std"` (see `keras_ssl.evaluation.std_of_l2_normalized`), at
    the end of every epoch. When it is below `threshold`, or not finite, the
    callback issues a `UserWarning` and, with `stop=True`, sets
    `model.stop_training`. A healthy `d`-dimensional embedding scores about
    `1 / sqrt(d)` and a fully collapsed one about 0; the default threshold of
    `1e-3` only fires on near-complete collapse for any `d` below a million.
    Pass e.g. `0.2 / sqrt(d)` to be warned earlier.

    If the logs never carry `key`, the callback warns once and does nothing.
    The first epoch (0-based) found collapsed is kept in `collapsed_epoch`.

    Args:
        threshold: float. Values below this count as collapse, > 0. Defaults
            to `1e-3`.
        key: str. Name of the log entry to read. Defaults to
            `"embedding_std"`.
        stop: bool. Whether to stop training on collapse. Defaults to
            `False`.

    Example:

    ```python
    model.fit(images, epochs=100, callbacks=[
        keras_ssl.evaluation.CollapseMonitor(threshold=0.01, stop=True)
    ])
    ```

    Reference:
        Chen & He, Exploring Simple Siamese Representation Learning, 2020.
        https://arxiv.org/abs/2011.10566
    """

    def __init__(self, threshold=1e-3, key="embedding_std", stop=False):
        super().__init__()
        self.threshold = _data.positive_float("threshold", threshold)
        if not isinstance(key, str) or not key:
            raise TypeError(
                f"`key` must be a non-empty string. Received: key={key!r}."
            )
        if not isinstance(stop, bool):
            raise TypeError(f"`stop` must be a bool. Received: stop={stop!r}.")
        self.key = key
        self.stop = stop
        self.collapsed_epoch = None
        self._warned_missing = False

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.key not in logs:
            self._warn_missing(logs)
            return
        value = float(logs[self.key])
        if math.isfinite(value) and value >= self.threshold:
            return
        if self.collapsed_epoch is None:
            self.collapsed_epoch = epoch
        action = "Stopping training." if self.stop else ""
        warnings.warn(
            f"Epoch {epoch + 1}: `{self.key}` = {value:.3g} is below the "
            f"collapse threshold {self.threshold:.3g} (or not finite): the "
            f"embeddings may have collapsed. {action}".rstrip(),
            stacklevel=2,
        )
        if self.stop and self.model is not None:
            self.model.stop_training = True

    def _warn_missing(self, logs):
        if self._warned_missing:
            return
        self._warned_missing = True
        warnings.warn(
            f"CollapseMonitor found no `{self.key}` in the epoch logs (keys: "
            f"{sorted(logs)}); it cannot check for collapse.",
            stacklevel=2,
        )

    def get_config(self):
        return {"threshold": self.threshold, "key": self.key, "stop": self.stop}
