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


def dcl_reference(z_a, z_b, temperature, weights=None):
    """DCL (Yeh et al. eq. 6): -w_i * pos_i / t + log sum over the 2b - 2 negatives."""
    z = _normalize(np.concatenate([z_a, z_b]))
    n, b = len(z), len(z_a)
    weights = np.ones(b) if weights is None else np.asarray(weights, np.float64)
    losses = []
    for i in range(n):
        positive = (i + b) % n
        others = [j for j in range(n) if j not in (i, positive)]
        negatives = [z[i] @ z[j] / temperature for j in others]
        top = max(negatives)
        log_denominator = top + np.log(sum(np.exp(x - top) for x in negatives))
        attraction = weights[i % b] * (z[i] @ z[positive]) / temperature
        losses.append(log_denominator - attraction)
    return float(np.mean(losses))


def von_mises_fisher_weights_reference(z_a, z_b, sigma):
    """DCLW: w_i = 2 - exp(cos_i / sigma) / mean_j exp(cos_j / sigma)."""
    a, b = _normalize(z_a), _normalize(z_b)
    scores = [np.exp((a[i] @ b[i]) / sigma) for i in range(len(a))]
    mean = sum(scores) / len(scores)
    return np.array([2.0 - s / mean for s in scores])


def dclw_reference(z_a, z_b, temperature, sigma):
    weights = von_mises_fisher_weights_reference(z_a, z_b, sigma)
    return dcl_reference(z_a, z_b, temperature, weights)


def nearest_neighbour_reference(embeddings, support):
    """NNCLR: for each embedding, the support row of highest cosine similarity."""
    e, s = _normalize(embeddings), _normalize(support)
    rows = []
    for i in range(len(e)):
        scores = [e[i] @ s[j] for j in range(len(s))]
        rows.append(np.asarray(support, np.float64)[int(np.argmax(scores))])
    return np.stack(rows)


def dino_reference(student, teacher, center, t_student, t_teacher):
    """DINO: mean over pairs i != j of mean_b -sum_k p_t(i) log p_s(j)."""
    def softmax(x):
        x = x - x.max(axis=1, keepdims=True)
        e = np.exp(x)
        return e / e.sum(axis=1, keepdims=True)

    student = [np.asarray(s, np.float64) for s in student]
    teacher = [np.asarray(t, np.float64) for t in teacher]
    center = np.asarray(center, np.float64).reshape(1, -1)
    losses = []
    for i, t in enumerate(teacher):
        p_t = softmax((t - center) / t_teacher)
        for j, s in enumerate(student):
            if i != j:
                log_p_s = np.log(softmax(s / t_student))
                losses.append(np.mean(-(p_t * log_p_s).sum(axis=1)))
    return float(np.mean(losses))


def _softmax_rows(x):
    x = np.asarray(x, np.float64)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def sinkhorn_reference(kernel, iterations):
    """SwAV / MSN released code: Q is K x B; rows (prototypes), then columns (samples)."""
    q = np.asarray(kernel, np.float64).T.copy()
    k, b = q.shape
    q /= q.sum()
    for _ in range(iterations):
        for row in range(k):
            q[row] /= q[row].sum() * k
        for col in range(b):
            q[:, col] /= q[:, col].sum() * b
    return (q * b).T


def swav_reference(scores, temperature, epsilon, iterations, num_assign=2, queue=None):
    """SwAV main_swav.py: codes of each assignment crop (queue rows prepended), swapped CE."""
    scores = [np.asarray(s, np.float64) for s in scores]
    b, n = len(scores[0]), len(scores)
    loss = 0.0
    for i in range(num_assign):
        out = scores[i]
        if queue is not None:
            out = np.concatenate([np.asarray(queue[i], np.float64), out])
        codes = sinkhorn_reference(np.exp(out / epsilon), iterations)[-b:]
        subloss = 0.0
        for v in range(n):
            if v == i:
                continue
            log_p = np.log(_softmax_rows(scores[v] / temperature))
            subloss -= np.mean(np.sum(codes * log_p, axis=1))
        loss += subloss / (n - 1)
    return loss / num_assign


def msn_reference(anchors, target, tau, sharpen_t, me_max_weight, iterations):
    """MSN src/losses.py: snn at tau, targets sharpened by p**(1/T), Sinkhorn, ME-MAX.

    `anchors` (a list per view) and `target` are cosine similarities to the
    prototypes; the target temperature is tau * sharpen_t.
    """
    probs = np.concatenate([_softmax_rows(np.asarray(a) / tau) for a in anchors])
    targets = _softmax_rows(np.asarray(target) / tau) ** (1.0 / sharpen_t)
    targets /= targets.sum(axis=1, keepdims=True)
    if iterations:
        targets = sinkhorn_reference(targets, iterations)
    targets = np.concatenate([targets] * len(anchors))
    loss = np.mean(np.sum(-targets * np.log(probs), axis=1))
    avg = probs.mean(axis=0)
    me_max = np.sum(avg * np.log(avg)) + np.log(len(avg))
    return loss + me_max_weight * me_max, loss, me_max
