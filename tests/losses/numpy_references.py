"""Independent NumPy (float64) references of the losses, written from the papers."""

import numpy as np


def _normalize(x):
    x = np.asarray(x, dtype=np.float64)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _log_softmax(row):
    row = row - row.max()
    return row - np.log(np.exp(row).sum())


def ntxent_reference(z_a, z_b, temperature):
    """SimCLR eq. (1): mean over all 2b anchors of -log softmax at the positive."""
    z = _normalize(np.concatenate([z_a, z_b]))
    n, b = len(z), len(z_a)
    losses = []
    for i in range(n):
        positive = (i + b) % n
        others = [j for j in range(n) if j != i]
        logits = np.array([z[i] @ z[j] for j in others]) / temperature
        losses.append(-_log_softmax(logits)[others.index(positive)])
    return float(np.mean(losses))


def info_nce_reference(query, key, temperature, negatives=None):
    """MoCo: per query, logits [q.k+, q.n_1 ... q.n_K] / t, class 0."""
    q, k = _normalize(query), _normalize(key)
    losses = []
    for i in range(len(q)):
        if negatives is None:
            logits = np.array([q[i] @ k[j] for j in range(len(k))]) / temperature
            target = i
        else:
            n = _normalize(negatives)
            logits = np.concatenate([[q[i] @ k[i]], n @ q[i]]) / temperature
            target = 0
        losses.append(-_log_softmax(logits)[target])
    return float(np.mean(losses))


def negative_cosine_reference(p, z):
    p, z = _normalize(p), _normalize(z)
    return float(-np.mean([p[i] @ z[i] for i in range(len(p))]))
