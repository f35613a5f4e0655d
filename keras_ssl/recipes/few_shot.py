"""Recipe: N-way K-shot few-shot classification with frozen features.

    keras-ssl recipe few_shot --preset simclr_small_cnn_shapes --ways 5 --shots 1 5

Each episode draws `ways` classes of the test split, `shots` support and
`queries` query images per class; queries go to the nearest class mean
(prototype) by cosine similarity. Mean accuracy over `episodes` episodes
with its 95% confidence interval.
"""

import numpy as np

from keras_ssl import evaluation
from keras_ssl.recipes import common


def build_parser():
    p = common.parser("N-way K-shot evaluation with prototypes.")
    common.add_preset_option(p)
    p.add_argument("--ways", type=int, default=5)
    p.add_argument("--shots", type=int, nargs="+", default=[1, 5])
    p.add_argument("--queries", type=int, default=15)
    p.add_argument("--episodes", type=int, default=200)
    return p


def episode_accuracy(features, labels, ways, shots, queries, rng):
    classes = rng.choice(np.unique(labels), size=ways, replace=False)
    prototypes, query_features, query_labels = [], [], []
    for index, label in enumerate(classes):
        members = rng.permutation(np.flatnonzero(labels == label))[: shots + queries]
        if len(members) < shots + queries:
            raise ValueError(f"Class {label} has fewer than {shots + queries} test images.")
        prototypes.append(features[members[:shots]].mean(axis=0))
        query_features.append(features[members[shots:]])
        query_labels += [index] * queries
    prototypes = _unit(np.stack(prototypes))
    scores = _unit(np.concatenate(query_features)) @ prototypes.T
    return float(np.mean(np.argmax(scores, axis=1) == np.array(query_labels)))


def _unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def main(argv=None):
    args = build_parser().parse_args(argv)
    _, (x_test, y_test) = common.load_splits(args)
    if args.ways > len(np.unique(y_test)):
        raise ValueError(f"`--ways` {args.ways} exceeds the {len(np.unique(y_test))} classes of the data set.")
    encoder = common.load_encoder(args.preset, args.allow_unpinned)
    features = evaluation.extract_features(encoder, x_test, verbose=0)
    rng = np.random.default_rng(args.seed)
    results = {"preset": args.preset, "dataset": args.dataset, "ways": args.ways, "episodes": args.episodes}
    for shots in args.shots:
        accuracies = [episode_accuracy(features, y_test, args.ways, shots, args.queries, rng)
                      for _ in range(args.episodes)]
        results[f"{args.ways}way_{shots}shot_accuracy"] = float(np.mean(accuracies))
        results[f"{args.ways}way_{shots}shot_ci95"] = float(1.96 * np.std(accuracies) / np.sqrt(len(accuracies)))
    return common.report(results, args.output)
