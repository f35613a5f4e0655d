"""Collapse monitor: spread of L2-normalised embeddings across a batch."""

from keras import ops

from keras_ssl.backend.collectives import global_variance
from keras_ssl.backend.collectives import num_replicas


def std_of_l2_normalized(embeddings):
    """Mean per-dimension standard deviation of L2-normalised embeddings.

    Each row is scaled to unit L2 norm, the standard deviation of every
    dimension is taken across the batch (population std, as `numpy.std`), and
    the result is averaged over dimensions. A collapsed encoder that maps all
    inputs to the same direction gives 0; embeddings spread isotropically over
    the unit sphere give about `1 / sqrt(d)`. Computed in float32, with
    `keras.ops` only, so it runs on numpy arrays and on backend tensors inside
    a compiled train step.

    Args:
        embeddings: tensor or numpy array `(b, d)`.

    Returns:
        float32 scalar tensor.

    Example:

    ```python
    z = model.projector(model.encoder(images))
    std = keras_ssl.evaluation.std_of_l2_normalized(z)  # ~1/sqrt(d) if healthy
    ```

    Reference:
        Chen & He, Exploring Simple Siamese Representation Learning, 2020.
        https://arxiv.org/abs/2011.10566
    """
    if not hasattr(embeddings, "shape"):
        embeddings = ops.convert_to_tensor(embeddings)
    if len(embeddings.shape) != 2:
        raise ValueError(
            "`embeddings` must have rank 2, shape (batch, dim). Received: "
            f"embeddings.shape={tuple(embeddings.shape)}."
        )
    embeddings = ops.cast(embeddings, "float32")
    squared_norm = ops.sum(ops.square(embeddings), axis=1, keepdims=True)
    # The floor keeps an all-zero row at zero instead of producing NaN.
    unit = embeddings * ops.rsqrt(ops.maximum(squared_norm, 1e-24))
    if num_replicas() == 1:
        return ops.mean(ops.std(unit, axis=0))
    # Inside a distributed step: the spread of the global batch.
    return ops.mean(ops.sqrt(global_variance(unit, axis=0)))
