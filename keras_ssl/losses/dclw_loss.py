"""DCLW: the decoupled contrastive loss with von Mises-Fisher pair weights."""

from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.backend.collectives import all_gather
from keras_ssl.backend.collectives import global_rows
from keras_ssl.backend.collectives import num_replicas
from keras_ssl.losses.common import l2_normalize
from keras_ssl.losses.dcl_loss import DCLLoss
from keras_ssl.losses.dcl_loss import dcl_loss
from keras_ssl.utils.validation import check_positive_float


def von_mises_fisher_weights(z_a, z_b, sigma=0.5):
    """DCLW's positive-pair weights `2 - b * softmax(cos(z_a_i, z_b_i) / sigma)`.

    `exp(cos_i / sigma) / mean_j exp(cos_j / sigma)` is `b` times a softmax
    over the batch (the global batch on several replicas), so the weights
    average to 1; pairs whose views are already close weigh less, hard
    positives more. The weights are computed on stop-gradient embeddings:
    they scale the positive term and are not themselves optimised.

    Shapes, in einsum letters: `z_a`, `z_b`: (b, d). Returns (b,), float32.

    Args:
        z_a: tensor (b, d). Embeddings of the first view.
        z_b: tensor (b, d). Embeddings of the second view.
        sigma: float. Concentration (temperature) of the weights, > 0.
            Defaults to `0.5`.
    """
    sigma = check_positive_float("sigma", sigma)
    a = ops.stop_gradient(l2_normalize(z_a))
    b = ops.stop_gradient(l2_normalize(z_b))
    cosine = ops.sum(a * b, axis=1)
    # The softmax runs over the global batch; each replica keeps its rows.
    every_cosine = all_gather(cosine)
    batch = ops.cast(ops.shape(every_cosine)[0], "float32")
    weights = 2.0 - batch * ops.softmax(every_cosine / sigma, axis=0)
    if num_replicas() == 1:
        return weights
    _, offset = global_rows(cosine)
    return ops.take(weights, offset + ops.arange(ops.shape(cosine)[0]), axis=0)


def dclw_loss(z_a, z_b, temperature=0.1, sigma=0.5):
    """Weighted decoupled contrastive loss (DCLW), in float32.

    `dcl_loss` with the positive term of pair i weighted by
    `w_i = 2 - exp(cos_i / sigma) / mean_j exp(cos_j / sigma)`
    (`von_mises_fisher_weights`), `cos_i` the cosine similarity of the two
    views of image i. Symmetric in `z_a` and `z_b`.

    Shapes, in einsum letters: `z_a`, `z_b`: (b, d). Returns a scalar.

    Args:
        z_a: tensor (b, d). Embeddings of the first view.
        z_b: tensor (b, d). Embeddings of the second view.
        temperature: float. Softmax temperature, > 0. Defaults to `0.1`.
        sigma: float. Concentration of the weights, > 0. Defaults to `0.5`.

    Reference:
        Yeh et al., Decoupled Contrastive Learning, 2021.
        https://arxiv.org/abs/2110.06848
    """
    sigma = check_positive_float("sigma", sigma)
    return dcl_loss(
        z_a,
        z_b,
        temperature=temperature,
        weight_fn=lambda a, b: von_mises_fisher_weights(a, b, sigma),
    )


@keras_ssl_export
class DCLWLoss(DCLLoss):
    """Weighted decoupled contrastive loss (DCLW) as a `keras.losses.Loss`.

    Called as `loss(z_a, z_b)`. See `keras_ssl.losses.dclw_loss`.

    Args:
        temperature: float. Softmax temperature, > 0. Defaults to `0.1`.
        sigma: float. Concentration of the positive-pair weights, > 0.
            Defaults to `0.5`.

    Example:
    ```python
    loss = keras_ssl.losses.DCLWLoss(temperature=0.1, sigma=0.5)
    value = loss(z_a, z_b)
    ```

    Reference:
        Yeh et al., 2021. https://arxiv.org/abs/2110.06848
    """

    def __init__(self, temperature=0.1, sigma=0.5, name="dclw_loss", **kwargs):
        super().__init__(temperature=temperature, name=name, **kwargs)
        self.sigma = check_positive_float("sigma", sigma)

    def call(self, z_a, z_b):
        return dclw_loss(z_a, z_b, temperature=self.temperature, sigma=self.sigma)

    def get_config(self):
        return {**super().get_config(), "sigma": self.sigma}
