"""VICReg: variance, invariance and covariance regularisation."""

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.backend.collectives import all_reduce
from keras_ssl.backend.collectives import global_mean
from keras_ssl.backend.collectives import global_variance
from keras_ssl.losses.common import check_embedding_pair
from keras_ssl.utils.validation import check_positive_float

_STD_EPSILON = 1e-4


def _variance_term(z):
    """Mean hinge of the per-dimension std below 1 (unbiased variance)."""
    std = ops.sqrt(global_variance(z, axis=0) * _bessel(z) + _STD_EPSILON)
    return ops.mean(ops.relu(1.0 - std))


def _covariance_term(z):
    """Sum of squared off-diagonal covariances, divided by d."""
    centred = z - global_mean(z, axis=0, keepdims=True)
    covariance = all_reduce(ops.einsum("ni,nj->ij", centred, centred)) / (
        _global_batch(z) - 1.0
    )
    off_diagonal = ops.sum(ops.square(covariance)) - ops.sum(
        ops.square(ops.diagonal(covariance))
    )
    return off_diagonal / ops.cast(ops.shape(z)[1], "float32")


def _global_batch(z):
    return all_reduce(ops.cast(ops.shape(z)[0], "float32"))


def _bessel(z):
    batch = _global_batch(z)
    return batch / (batch - 1.0)


def vicreg_loss(
    z_a,
    z_b,
    invariance_weight=25.0,
    variance_weight=25.0,
    covariance_weight=1.0,
    return_terms=False,
):
    """VICReg loss, in float32.

    `invariance_weight * mse(z_a, z_b)
     + variance_weight * (v(z_a) + v(z_b)) / 2
     + covariance_weight * (c(z_a) + c(z_b))`, where `v` is the mean over
    dimensions of `max(0, 1 - sqrt(var + 1e-4))` (unbiased variance over the
    batch) and `c` the sum of squared off-diagonal covariances divided by d.
    The variance term is averaged over the two branches as in the authors'
    released code (the paper's equation sums them). On several replicas
    every statistic covers the global batch.

    Shapes, in einsum letters: `z_a`, `z_b`: (b, d). Returns a scalar, or
    `(loss, {"invariance", "variance", "covariance"})` with `return_terms`.

    Args:
        z_a: tensor (b, d). Expander outputs of the first view.
        z_b: tensor (b, d). Expander outputs of the second view.
        invariance_weight: float. lambda of the paper. Defaults to `25.0`.
        variance_weight: float. mu of the paper. Defaults to `25.0`.
        covariance_weight: float. nu of the paper. Defaults to `1.0`.
        return_terms: bool. Also return the three unweighted terms.
            Defaults to `False`.

    Reference:
        Bardes et al., VICReg: Variance-Invariance-Covariance Regularization
        for Self-Supervised Learning, 2021. https://arxiv.org/abs/2105.04906
    """
    weights = [
        check_positive_float(name, value)
        for name, value in (
            ("invariance_weight", invariance_weight),
            ("variance_weight", variance_weight),
            ("covariance_weight", covariance_weight),
        )
    ]
    check_embedding_pair(z_a, z_b)
    if z_a.shape[0] == 1:
        raise ValueError(
            "The VICReg loss needs at least 2 samples per batch for its "
            "variance and covariance terms. Received: "
            f"z_a.shape={tuple(z_a.shape)}."
        )
    a, b = ops.cast(z_a, "float32"), ops.cast(z_b, "float32")
    terms = {
        "invariance": global_mean(ops.square(a - b)),
        "variance": (_variance_term(a) + _variance_term(b)) / 2.0,
        "covariance": _covariance_term(a) + _covariance_term(b),
    }
    loss = sum(w * t for w, t in zip(weights, terms.values()))
    return (loss, terms) if return_terms else loss


@keras_ssl_export
class VICRegLoss(keras.losses.Loss):
    """VICReg loss as a `keras.losses.Loss`.

    Called as `loss(z_a, z_b)`. See `keras_ssl.losses.vicreg_loss`.

    Args:
        invariance_weight: float. Defaults to `25.0`.
        variance_weight: float. Defaults to `25.0`.
        covariance_weight: float. Defaults to `1.0`.

    Example:
    ```python
    loss = keras_ssl.losses.VICRegLoss()
    value = loss(z_a, z_b)
    ```

    Reference:
        Bardes et al., 2021. https://arxiv.org/abs/2105.04906
    """

    def __init__(
        self,
        invariance_weight=25.0,
        variance_weight=25.0,
        covariance_weight=1.0,
        name="vicreg_loss",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.invariance_weight = check_positive_float(
            "invariance_weight", invariance_weight
        )
        self.variance_weight = check_positive_float("variance_weight", variance_weight)
        self.covariance_weight = check_positive_float(
            "covariance_weight", covariance_weight
        )

    def call(self, z_a, z_b):
        return vicreg_loss(
            z_a,
            z_b,
            self.invariance_weight,
            self.variance_weight,
            self.covariance_weight,
        )

    def __call__(self, z_a, z_b, sample_weight=None):
        if sample_weight is not None:
            raise ValueError(
                "VICRegLoss does not take `sample_weight`: the loss is a "
                f"statistic of the whole batch. Received: {sample_weight!r}."
            )
        return self.call(z_a, z_b)

    def get_config(self):
        return {
            **super().get_config(),
            "invariance_weight": self.invariance_weight,
            "variance_weight": self.variance_weight,
            "covariance_weight": self.covariance_weight,
        }
