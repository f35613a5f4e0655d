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


def barlow_twins_reference(z_a, z_b, lambda_):
    """Barlow Twins eq. (1): C from batch-standardised embeddings, loop form."""
    def standardize(z):
        z = np.asarray(z, dtype=np.float64)
        return (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5)

    a, b = standardize(z_a), standardize(z_b)
    n, d = a.shape
    loss = 0.0
    for i in range(d):
        for j in range(d):
            c_ij = sum(a[k, i] * b[k, j] for k in range(n)) / n
            loss += (1.0 - c_ij) ** 2 if i == j else lambda_ * c_ij**2
    return loss


def vicreg_reference(z_a, z_b, inv=25.0, var=25.0, cov=1.0):
    """VICReg (authors' code): mse, mean std hinge per branch / 2, off-diag cov^2 / d."""
    a = np.asarray(z_a, dtype=np.float64)
    b = np.asarray(z_b, dtype=np.float64)
    n, d = a.shape

    def variance(z):
        std = np.sqrt(z.var(0, ddof=1) + 1e-4)
        return np.mean(np.maximum(0.0, 1.0 - std))

    def covariance(z):
        c = np.cov(z, rowvar=False)  # unbiased, (d, d)
        return sum(c[i, j] ** 2 for i in range(d) for j in range(d) if i != j) / d

    invariance = np.mean((a - b) ** 2)
    terms = (invariance, (variance(a) + variance(b)) / 2, covariance(a) + covariance(b))
    return inv * terms[0] + var * terms[1] + cov * terms[2], terms
