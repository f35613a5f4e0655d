"""InfoNCE: the contrastive loss of MoCo, with queue or in-batch negatives."""

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.backend.collectives import all_gather
from keras_ssl.backend.collectives import global_rows
from keras_ssl.losses.common import check_embedding_pair
from keras_ssl.losses.common import cross_entropy_with_index
from keras_ssl.losses.common import l2_normalize
from keras_ssl.utils.validation import check_positive_float
from keras_ssl.utils.validation import check_rank


def info_nce(query, key, temperature=0.2, negatives=None):
    """InfoNCE loss of MoCo: each query against its key and negative keys.

    The positive of query i is key i. Without `negatives`, the other keys of
    the batch are the negatives (b - 1 per query; on several replicas, the
    keys of the global batch, gathered); with `negatives` (a memory queue),
    only the queue supplies negatives, as in MoCo. Embeddings are
    L2-normalised and the logits computed in float32. The loss is the mean
    over the queries of the global batch.

    Shapes, in einsum letters: `query`, `key`: (b, d); `negatives`: (k, d).
    Returns a scalar.

    Args:
        query: tensor (b, d). Query embeddings (receive gradients).
        key: tensor (b, d). Positive key embeddings, one per query.
        temperature: float. Softmax temperature, > 0. Defaults to `0.2`.
        negatives: optional tensor (k, d). Negative keys, e.g. a queue.
            Defaults to `None` (in-batch negatives).

    Reference:
        He et al., Momentum Contrast for Unsupervised Visual Representation
        Learning, 2019. https://arxiv.org/abs/1911.05722
    """
    temperature = check_positive_float("temperature", temperature)
    check_embedding_pair(query, key, names=("query", "key"))
    q, k = l2_normalize(query), l2_normalize(key)
    if negatives is None:
        if query.shape[0] == 1:
            raise ValueError(
                "InfoNCE with in-batch negatives needs at least 2 samples: "
                "with batch size 1 and no `negatives` the loss is a constant "
                f"0. Received: query.shape={tuple(query.shape)}."
            )
        # The keys of the global batch are the candidates of each query.
        _, offset = global_rows(k)
        logits = ops.einsum("nd,md->nm", q, all_gather(k)) / temperature
        return cross_entropy_with_index(
            logits, offset + ops.arange(ops.shape(q)[0], dtype="int32")
        )
    check_rank("negatives", negatives, 2)
    if negatives.shape[-1] != query.shape[-1]:
        raise ValueError(
            "`negatives` must have the embedding size of `query`. Received: "
            f"negatives.shape={tuple(negatives.shape)}, "
            f"query.shape={tuple(query.shape)}."
        )
    positive = ops.sum(q * k, axis=1, keepdims=True)
    negative = ops.einsum("nd,kd->nk", q, l2_normalize(negatives))
    logits = ops.concatenate([positive, negative], axis=1) / temperature
    return cross_entropy_with_index(
        logits, ops.zeros((ops.shape(q)[0],), dtype="int32")
    )


@keras_ssl_export
class InfoNCE(keras.losses.Loss):
    """InfoNCE loss (MoCo) as a `keras.losses.Loss`.

    Called as `loss(query, key, negatives=None)`. See
    `keras_ssl.losses.info_nce`.

    Args:
        temperature: float. Softmax temperature, > 0. Defaults to `0.2`.

    Example:
    ```python
    loss = keras_ssl.losses.InfoNCE(temperature=0.2)
    value = loss(query, key, negatives=queue)
    ```

    Reference:
        He et al., 2019. https://arxiv.org/abs/1911.05722
    """

    def __init__(self, temperature=0.2, name="info_nce", **kwargs):
        super().__init__(name=name, **kwargs)
        self.temperature = check_positive_float("temperature", temperature)

    def call(self, query, key, negatives=None):
        return info_nce(query, key, self.temperature, negatives=negatives)

    def __call__(self, query, key, negatives=None):
        return self.call(query, key, negatives=negatives)

    def get_config(self):
        return {**super().get_config(), "temperature": self.temperature}
