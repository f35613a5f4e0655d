"""The `keras-ssl` command: pretrain a method, evaluate a saved encoder.

    keras-ssl pretrain simclr --dataset shapes --epochs 20 --output runs/simclr
    keras-ssl evaluate runs/simclr --dataset shapes
    keras-ssl zoo list | keras-ssl zoo show NAME
    keras-ssl recipe pretrain --config simclr:small_cpu --epochs 5 (see recipes/)

Keras is imported only after `--backend` has set KERAS_BACKEND.
"""

import argparse
import os
import sys

BACKENDS = ("jax", "tensorflow", "torch")
# Kept in step with keras_ssl.methods.METHODS (tested); listed here so that
# `--help` works before Keras is imported.
METHOD_NAMES = (
    "simclr", "moco_v2", "byol", "simsiam", "barlow_twins", "vicreg",
    "moco_v3", "nnclr", "dcl", "dclw", "dino", "swav", "msn",
)


# Kept in step with keras_ssl.recipes.RECIPES (tested).
RECIPE_NAMES = (
    "pretrain", "linear_probe", "knn_sweep", "finetune", "lora_finetune",
    "semi_supervised", "few_shot",
)


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"keras-ssl: error: {message} (see `keras-ssl --help`)\n")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def build_parser():
    parser = _OneLineParser(prog="keras-ssl", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pretrain = commands.add_parser("pretrain", help="pretrain a method")
    pretrain.add_argument("method", choices=METHOD_NAMES)
    pretrain.add_argument("--dataset", default="shapes", help="'shapes', a folder or a tfds name")
    pretrain.add_argument(
        "--epochs", type=_positive_int, default=None,
        help="default: the method's entry of keras_ssl.pipeline.SMALL_DATA_EPOCHS",
    )
    pretrain.add_argument("--batch-size", type=_positive_int, default=256)
    pretrain.add_argument("--encoder", default="small_cnn", choices=("small_cnn", "resnet18", "resnet34", "resnet50"))
    pretrain.add_argument("--learning-rate", type=_positive_float, default=1e-3)
    pretrain.add_argument("--seed", type=int, default=0)
    pretrain.add_argument("--output", default=None, help="folder for encoder.keras, model.keras, results.json")
    evaluate = commands.add_parser("evaluate", help="kNN and linear probe of a saved encoder")
    evaluate.add_argument("model_dir")
    evaluate.add_argument("--dataset", default="shapes")
    zoo = commands.add_parser("zoo", help="list or show the pretrained encoders of the zoo")
    zoo.add_argument("action", choices=("list", "show"))
    zoo.add_argument("name", nargs="?", help="entry to show")
    zoo.add_argument("--kind", choices=("keras_ssl", "keras_hub", "converted"), default=None)
    recipe = commands.add_parser("recipe", help="run a recipe (pretrain, linear_probe, knn_sweep, finetune, ...)")
    recipe.add_argument("recipe_name", choices=RECIPE_NAMES)
    recipe.add_argument("recipe_args", nargs=argparse.REMAINDER, help="the recipe's own options (--help for them)")
    for sub in (pretrain, evaluate, zoo, recipe):
        sub.add_argument("--backend", choices=BACKENDS, default=None, help="Keras backend (default: KERAS_BACKEND, else tensorflow, the fastest on CPU)")
    return parser


def _print_results(results):
    width = max(len(k) for k in results)
    for key, value in results.items():
        if isinstance(value, float) and key in ("knn", "linear_probe", "raw_pixel_knn"):
            value = f"{100 * value:.1f}%"
        print(f"  {key:<{width}}  {value}")


def main(argv=None):
    args = build_parser().parse_args(argv)
    # TensorFlow by default: on CPU it trains the pipeline's methods fastest
    # (benchmarks/RESULTS.md, "Speed: the augmenter under XLA on TensorFlow").
    os.environ["KERAS_BACKEND"] = args.backend or os.environ.get(
        "KERAS_BACKEND", "tensorflow"
    )
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.command in ("zoo", "recipe"):
        return _zoo_or_recipe(args)
    from keras_ssl import pipeline

    try:
        if args.command == "pretrain":
            results = pipeline.pretrain(
                method=args.method,
                dataset=args.dataset,
                epochs=args.epochs,
                batch_size=args.batch_size,
                encoder=args.encoder,
                learning_rate=args.learning_rate,
                output=args.output,
                seed=args.seed,
            )
        else:
            results = pipeline.evaluate(args.model_dir, dataset=args.dataset)
    except (ValueError, TypeError, FileNotFoundError) as error:
        print(f"keras-ssl: error: {error}", file=sys.stderr)
        return 2
    print(f"keras-ssl {args.command} results:")
    _print_results(results)
    if args.command == "pretrain" and args.output:
        print(f"  saved to {args.output}/ (encoder.keras, model.keras, results.json)")
    return 0


def _zoo_or_recipe(args):
    try:
        if args.command == "recipe":
            from keras_ssl import recipes

            return recipes.run(args.recipe_name, args.recipe_args)
        from keras_ssl.presets import zoo_listing

        if args.action == "list":
            print(zoo_listing.format_zoo_list(args.kind))
        elif not args.name:
            raise ValueError("`keras-ssl zoo show` needs an entry name (see `keras-ssl zoo list`).")
        else:
            print(zoo_listing.format_zoo_entry(args.name))
    except (ValueError, TypeError, FileNotFoundError) as error:
        print(f"keras-ssl: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
