"""Barlow Twins: make the cross-correlation of two views the identity."""

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.backend.collectives import all_reduce
from keras_ssl.losses.common import check_embedding_pair
from keras_ssl.losses.common import standardize_over_batch
from keras_ssl.utils.validation import check_positive_float


def barlow_twins_loss(z_a, z_b, lambda_=5e-3):
    """Barlow Twins redundancy-reduction loss, in float32.

    Each embedding dimension is standardised over the batch (mean 0,
    variance 1, as the paper's affine-free BatchNorm); the cross-correlation
    matrix `c = z_a^T z_b / b` (d, d) is pushed towards the identity:
    `sum_i (1 - c_ii)^2 + lambda_ * sum_{i != j} c_ij^2`. The loss is
    symmetric in `z_a` and `z_b` and is not averaged over dimensions, so its
    scale grows with d, as in the paper (d = 8192 there). On several
    replicas the statistics and `c` cover the global batch (`c` is summed
    over replicas, as in the authors' code).

    Shapes, in einsum letters: `z_a`, `z_b`: (b, d). Returns a scalar.

    Args:
        z_a: tensor (b, d). Projections of the first view.
        z_b: tensor (b, d). Projections of the second view.
        lambda_: float. Weight of the off-diagonal (redundancy) term, > 0.
            Defaults to `5e-3` (the paper's value).

    Reference:
        Zbontar et al., Barlow Twins: Self-Supervised Learning via Redundancy
        Reduction, 2021. https://arxiv.org/abs/2103.03230
    """
    lambda_ = check_positive_float("lambda_", lambda_)
    check_embedding_pair(z_a, z_b)
    if z_a.shape[0] == 1:
        raise ValueError(
            "The Barlow Twins loss needs at least 2 samples per batch to "
            "standardise each dimension over the batch. Received: "
            f"z_a.shape={tuple(z_a.shape)}."
        )
    a, b = standardize_over_batch(z_a), standardize_over_batch(z_b)
    # Global batch: sums over every replica's rows (d x d all-reduced).
    batch = all_reduce(ops.cast(ops.shape(a)[0], "float32"))
    correlation = all_reduce(ops.einsum("ni,nj->ij", a, b)) / batch
    diagonal = ops.diagonal(correlation)
    on_diagonal = ops.sum(ops.square(1.0 - diagonal))
    off_diagonal = ops.sum(ops.square(correlation)) - ops.sum(ops.square(diagonal))
    return on_diagonal + lambda_ * off_diagonal


@keras_ssl_export
class BarlowTwinsLoss(keras.losses.Loss):
    """Barlow Twins loss as a `keras.losses.Loss`.

    Called as `loss(z_a, z_b)`. See `keras_ssl.losses.barlow_twins_loss`.

    Args:
        lambda_: float. Weight of the off-diagonal term, > 0. Defaults to
            `5e-3`.

    Example:
    ```python
    loss = keras_ssl.losses.BarlowTwinsLoss()
    value = loss(z_a, z_b)
    ```

    Reference:
        Zbontar et al., 2021. https://arxiv.org/abs/2103.03230
    """

    def __init__(self, lambda_=5e-3, name="barlow_twins_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.lambda_ = check_positive_float("lambda_", lambda_)

    def call(self, z_a, z_b):
        return barlow_twins_loss(z_a, z_b, lambda_=self.lambda_)

    def __call__(self, z_a, z_b, sample_weight=None):
        if sample_weight is not None:
            raise ValueError(
                "BarlowTwinsLoss does not take `sample_weight`: the loss is a "
                f"statistic of the whole batch. Received: {sample_weight!r}."
            )
        return self.call(z_a, z_b)

    def get_config(self):
        return {**super().get_config(), "lambda_": self.lambda_}
