"""Independent NumPy (float64) references for the evaluation tests."""

import numpy as np


def knn_reference(train_x, train_y, test_x, k, temperature, num_classes):
    """InstDisc weighted kNN, one test sample at a time, by brute force."""
    train_x = np.asarray(train_x, dtype=np.float64)
    test_x = np.asarray(test_x, dtype=np.float64)
    train_x = train_x / np.linalg.norm(train_x, axis=1, keepdims=True)
    test_x = test_x / np.linalg.norm(test_x, axis=1, keepdims=True)
    predictions = []
    for query in test_x:
        similarities = train_x @ query
        nearest = np.argsort(-similarities)[:k]
        votes = np.zeros(num_classes)
        for index in nearest:
            votes[train_y[index]] += np.exp(similarities[index] / temperature)
        predictions.append(int(np.argmax(votes)))
    return np.array(predictions)


def std_of_l2_normalized_reference(embeddings):
    """Per-dimension population std of unit rows, averaged over dimensions."""
    x = np.asarray(embeddings, dtype=np.float64)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    return float(np.mean(np.std(x, axis=0)))


def clustered_data(num_train, num_test, dim, num_classes, spread, seed=0):
    """Gaussian clusters around random centres; labels are the clusters."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(num_classes, dim))
    y_train = rng.integers(0, num_classes, num_train)
    y_test = rng.integers(0, num_classes, num_test)
    x_train = centres[y_train] + spread * rng.normal(size=(num_train, dim))
    x_test = centres[y_test] + spread * rng.normal(size=(num_test, dim))
    return (
        (x_train.astype("float32"), y_train),
        (x_test.astype("float32"), y_test),
    )
