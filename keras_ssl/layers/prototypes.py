"""Prototypes: learnable unit vectors scored by cosine similarity (SwAV, MSN)."""

import math

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.losses.common import l2_normalize
from keras_ssl.utils.validation import check_positive_int


def freeze_gradient(x, frozen):
    """`x` with no gradient when the boolean scalar `frozen` is True.

    The value is `x` either way; only the gradient is cut, inside the step,
    on every backend. The optimizer then sees a zero gradient: SGD and Adam
    leave the variable where it is, while decoupled weight decay (AdamW)
    still scales it, which a normalised use of the variable (prototype
    vectors) does not see. SwAV's prototypes and DINO's last layer are
    frozen this way during their first epoch.
    """
    return ops.where(frozen, ops.stop_gradient(x), x)


@keras_ssl_export
class Prototypes(keras.layers.Layer):
    """K learnable prototype vectors; outputs cosine similarities to them.

    Inputs (b, d) are L2-normalised and multiplied by the L2-normalised
    prototype matrix (d, k): the output (b, k) holds cosine similarities, in
    float32 whatever the dtype policy. The vectors start uniform in
    `[-1/sqrt(d), 1/sqrt(d)]` (PyTorch's `Linear` and MSN's initialisation).

    How the vectors stay normalised (`keep_unit_norm`):

    - `True` (SwAV): the stored vectors are kept at unit norm by a
      `keras.constraints.UnitNorm` constraint, which every Keras optimizer
      applies after each update on every backend (SwAV's released code
      re-normalises them in place before each step: the same sequence of
      values). Gradients are taken with respect to the stored vectors, as
      in SwAV; the forward pass also normalises them (without gradient), so
      vectors set by hand are used normalised.
    - `False` (MSN): the vectors are normalised in the forward pass and the
      gradient flows through the normalisation (weight normalisation, as in
      MSN's released code); the stored norm is free.

    Call arguments: `inputs` (b, d); `frozen`, an optional boolean scalar:
    when True the prototypes get no gradient (SwAV freezes them during the
    first epoch).

    The layer computes in float32 by default, also under a mixed-precision
    policy (its inputs are not cast down): the scores feed
    `exp(scores / 0.05)` in Sinkhorn-Knopp and sharp softmaxes.

    Args:
        num_prototypes: int. Number of prototypes k. Defaults to `3000`
            (SwAV).
        keep_unit_norm: bool. See above. Defaults to `True`.

    Example:
    ```python
    prototypes = keras_ssl.layers.Prototypes(300)
    scores = prototypes(keras.random.normal((8, 128)))  # (8, 300), in [-1, 1]
    ```

    Reference:
        Caron et al., Unsupervised Learning of Visual Features by Contrasting
        Cluster Assignments, 2020. https://arxiv.org/abs/2006.09882
    """

    def __init__(self, num_prototypes=3000, keep_unit_norm=True, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.num_prototypes = check_positive_int("num_prototypes", num_prototypes)
        self.keep_unit_norm = bool(keep_unit_norm)

    def build(self, input_shape):
        dim = int(input_shape[-1])
        bound = 1.0 / math.sqrt(dim)
        self.vectors = self.add_weight(
            shape=(dim, self.num_prototypes),
            initializer=keras.initializers.RandomUniform(-bound, bound),
            constraint=(
                keras.constraints.UnitNorm(axis=0) if self.keep_unit_norm else None
            ),
            dtype="float32",
            name="vectors",
        )
        if self.keep_unit_norm:
            self.vectors.assign(l2_normalize(self.vectors.value, axis=0))

    def unit_vectors(self, frozen=None):
        """The (d, k) prototype matrix with unit columns, as used in `call`."""
        vectors = ops.convert_to_tensor(self.vectors)
        if frozen is not None:
            vectors = freeze_gradient(vectors, frozen)
        unit = l2_normalize(vectors, axis=0)
        if self.keep_unit_norm:
            # Value of the normalised vectors, gradient of the stored ones.
            unit = vectors + ops.stop_gradient(unit - vectors)
        return unit

    def call(self, inputs, frozen=None):
        return ops.matmul(l2_normalize(inputs), self.unit_vectors(frozen))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.num_prototypes,)

    def compute_output_spec(self, inputs, frozen=None):
        shape = self.compute_output_shape(inputs.shape)
        return keras.KerasTensor(shape, dtype="float32")

    def get_config(self):
        return {
            **super().get_config(),
            "num_prototypes": self.num_prototypes,
            "keep_unit_norm": self.keep_unit_norm,
        }
