"""The papers' ablations collapse and the real methods do not, per the monitor.

`embedding_std` (the std of L2-normalised embeddings logged by SSLModel) is
about 1/sqrt(d) for spread embeddings and 0 for collapsed ones. SimSiam
without its stop-gradient (paper, Table 1 / Figure 2) and BYOL without its
predictor (paper, Table 5) collapse; with them, the same runs stay spread.
Tiny encoder and data, 24 epochs of 2 steps, SGD at a learning rate high
enough for the ablations to collapse within them; fixed seeds.

SimSiam's projector ends in a BatchNorm, which standardises each embedding
dimension over the batch: its embeddings can only line up through the
BatchNorm offset, so without the stop-gradient they fall to a noisy plateau
(about a quarter of 1/sqrt(d) here) rather than to 0. BYOL's projector
has a BatchNorm in its hidden layer, in the online and the target network
(both normalise with batch statistics), which likewise holds it at a plateau
(about a third of 1/sqrt(d)). The thresholds leave a margin on both sides
(measured on JAX, TensorFlow and PyTorch, seed 0: SimSiam 0.07-0.14 without
vs 0.34 with the stop-gradient; BYOL 0.09-0.14 without vs 0.28-0.31 with
the predictor).
"""

import math

import keras
import numpy as np

from keras_ssl import methods
from keras_ssl.testing import tiny_augmenter
from keras_ssl.testing import tiny_encoder

DIM = 8
HEALTHY = 1.0 / math.sqrt(DIM)  # ~0.354


def late_embedding_std(cls, **kwargs):
    """Mean of the logged `embedding_std` over the last 8 of 24 epochs."""
    keras.utils.set_random_seed(0)
    model = cls(tiny_encoder(), augmenter=tiny_augmenter(), **kwargs)
    clone = cls.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    model.compile(optimizer=keras.optimizers.SGD(0.2, momentum=0.9))
    x = np.random.default_rng(0).uniform(0, 255, (32, 8, 8, 3)).astype("float32")
    history = model.fit(x, batch_size=16, epochs=24, verbose=0, shuffle=False)
    return float(np.mean(history.history["embedding_std"][-8:]))


def test_simsiam_collapses_without_stop_gradient():
    heads = {"projection_dim": DIM, "prediction_hidden_dim": 4}
    with_stop = late_embedding_std(methods.SimSiam, **heads)
    without = late_embedding_std(methods.SimSiam, stop_gradient=False, **heads)
    assert with_stop > 0.8 * HEALTHY, with_stop
    assert without < 0.5 * HEALTHY, without
    assert without < 0.5 * with_stop


def test_byol_collapses_without_predictor():
    kwargs = {
        "projection_hidden_dim": 16,
        "projection_dim": DIM,
        "base_momentum": 0.9,
        "momentum_schedule": "constant",
    }
    with_predictor = late_embedding_std(methods.BYOL, **kwargs)
    without = late_embedding_std(methods.BYOL, use_predictor=False, **kwargs)
    assert with_predictor > 0.6 * HEALTHY, with_predictor
    assert without < 0.5 * HEALTHY, without
    assert without < 0.5 * with_predictor
