"""Recipe: weighted kNN over a grid of k and temperature, backbone vs projector.

    keras-ssl recipe knn_sweep --preset simclr_small_cnn_shapes --k 10 20 50 200 \\
        --temperature 0.05 0.1 0.5 --features backbone projector

Projector features need a preset that saved the whole SSL model (the
projector is its `projection_head`). Features are extracted once per kind.
"""

import keras

from keras_ssl import evaluation
from keras_ssl.recipes import common


def build_parser():
    p = common.parser("kNN sweep over k, temperature and feature kind.")
    common.add_preset_option(p)
    p.add_argument("--k", type=int, nargs="+", default=[10, 20, 50, 100, 200])
    p.add_argument("--temperature", type=float, nargs="+", default=[0.05, 0.07, 0.1, 0.2, 0.5])
    p.add_argument("--features", nargs="+", choices=("backbone", "projector"), default=["backbone"])
    return p


def _projector_features(args, train, test):
    from keras_ssl.presets import from_preset

    model = from_preset(args.preset, ssl_model=True, allow_unpinned=args.allow_unpinned)
    head = getattr(model, "projection_head", None)
    if head is None:
        raise ValueError(f"{type(model).__name__} has no projection_head to take features from.")

    def project(images):
        features = evaluation.extract_features(model.encoder, images, verbose=0)
        return keras.ops.convert_to_numpy(head(features, training=False))

    return project(train[0]), project(test[0])


def main(argv=None):
    args = build_parser().parse_args(argv)
    train, test = common.load_splits(args)
    grid = {}
    for kind in args.features:
        if kind == "backbone":
            encoder = common.load_encoder(args.preset, args.allow_unpinned)
            f_train = evaluation.extract_features(encoder, train[0], verbose=0)
            f_test = evaluation.extract_features(encoder, test[0], verbose=0)
        else:
            f_train, f_test = _projector_features(args, train, test)
        for k in args.k:
            for t in args.temperature:
                grid[f"{kind} k={k} T={t}"] = evaluation.knn_accuracy(
                    None, (f_train, train[1]), (f_test, test[1]), k=min(k, len(f_train)), temperature=t,
                )
    best = max(grid, key=grid.get)
    results = {"preset": args.preset, "dataset": args.dataset, "grid": grid,
               "best": best, "best_knn_accuracy": grid[best]}
    for key, value in grid.items():
        print(f"  {key}: {100 * value:.1f}%")
    common.report({"best": best, "best_knn_accuracy": grid[best]})
    if args.output:
        common.report(results, args.output)
    return results
