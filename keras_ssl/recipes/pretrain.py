"""Recipe: pretrain a method, measure kNN / linear probe, save a preset (and a zoo entry).

    keras-ssl recipe pretrain --config simclr:small_cpu --epochs 5 \\
        --output runs/simclr_small_cnn_shapes --zoo-entry simclr_small_cnn_shapes

`--config METHOD:VARIANT` picks a config of `pretrain_configs` (`paper` or
`small_cpu`); `--epochs`, `--batch-size`, `--learning-rate` and
`--dataset` override it. The preset folder holds the encoder, the whole
SSL model and metadata with the measured accuracies; `--zoo-entry NAME`
also copies it into the package's zoo with the sha256 of every file.
"""

import time

import keras

from keras_ssl import encoders
from keras_ssl import evaluation
from keras_ssl import methods
from keras_ssl import pipeline
from keras_ssl.recipes import common
from keras_ssl.recipes.pretrain_configs import get_config

ENCODERS = {"small_cnn": "SmallCNN", "resnet18": "ResNet18", "resnet50": "ResNet50"}


def build_parser():
    p = common.parser("Pretrain a self-supervised method and save a preset.")
    p.add_argument("--config", default="simclr:small_cpu", help="METHOD:VARIANT, VARIANT in paper|small_cpu")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--learning-rate", type=float, default=None)
    p.add_argument("--preset-dir", default=None, help="folder for the preset (default runs/<method>_<variant>)")
    p.add_argument("--zoo-entry", default=None, help="also register the preset in the zoo under this name")
    return p


def build_model(name, variant, config, image_shape, num_classes):
    """The method of a config on a new encoder."""
    if variant == "small_cpu":
        return pipeline.build_method(name, image_shape, config["encoder"], num_classes)
    method_cls = methods.get_method(name)
    shape = image_shape if method_cls.same_size_views else (None, None, image_shape[-1])
    encoder = getattr(encoders, ENCODERS[config["encoder"]])(image_shape=shape, stem=config["stem"])
    return method_cls(encoder, num_classes=num_classes, **config["method_kwargs"])


def _optimizer(config):
    if config["optimizer"] == "sgd":
        return keras.optimizers.SGD(config["learning_rate"], momentum=0.9, weight_decay=config["weight_decay"])
    return keras.optimizers.AdamW(config["learning_rate"], weight_decay=config["weight_decay"])


def run(args):
    name, variant, config = get_config(args.config)
    for key in ("epochs", "batch_size", "learning_rate"):
        if getattr(args, key) is not None:
            config[key] = getattr(args, key)
    if args.dataset != "shapes" or variant == "small_cpu":
        config["dataset"] = args.dataset
    image_size = args.image_size or config["image_size"]
    keras.utils.set_random_seed(args.seed)
    args.image_size = image_size
    args.dataset = config["dataset"]
    (x_train, y_train), (x_test, y_test) = common.load_splits(args)
    model = build_model(name, variant, config, x_train.shape[1:], int(y_train.max()) + 1)
    model.compile(optimizer=_optimizer(config))
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=config["epochs"], batch_size=config["batch_size"], verbose=2)
    seconds = round(time.perf_counter() - start, 1)
    k = min(200, len(x_train))
    probe = evaluation.linear_probe(model.encoder, (x_train, y_train), (x_test, y_test))
    results = {
        "method": name, "variant": variant, "encoder": config["encoder"], "dataset": config["dataset"],
        "epochs": config["epochs"], "batch_size": config["batch_size"], "backend": keras.config.backend(),
        "train_seconds": seconds, "final_loss": float(history.history["loss"][-1]),
        "raw_pixel_knn_accuracy": evaluation.raw_pixel_knn_accuracy((x_train, y_train), (x_test, y_test), k=k),
        "knn_accuracy": evaluation.knn_accuracy(model.encoder, (x_train, y_train), (x_test, y_test), k=k, verbose=0),
        "linear_probe_accuracy": probe["accuracy"],
    }
    preset_dir = args.preset_dir or f"runs/{name}_{variant}"
    _save(model, preset_dir, results, config, args)
    common.report(results, args.output)
    print(f"  preset saved to {preset_dir}")
    return results


def _save(model, preset_dir, results, config, args):
    from keras_ssl.presets import save_to_preset
    from keras_ssl.presets import write_zoo_entry

    command = args.command
    save_to_preset(model, preset_dir, metadata={
        "method": results["method"], "encoder": results["encoder"], "dataset": results["dataset"],
        "recipe": command, "config": config, "results": results,
    }, include_optimizer=not args.zoo_entry)  # zoo files stay small
    if not args.zoo_entry:
        return
    protocol = f"test split, {results['epochs']} pretraining epochs, {results['backend']} backend"
    metrics = {"measured": {
        "knn": {"value": round(100 * results["knn_accuracy"], 1), "protocol": f"weighted kNN k=200, T=0.1, {protocol}", "source": "this recipe"},
        "linear_probe": {"value": round(100 * results["linear_probe_accuracy"], 1), "protocol": f"linear probe (evaluation.linear_probe), {protocol}", "source": "this recipe"},
        "raw_pixel_knn": {"value": round(100 * results["raw_pixel_knn_accuracy"], 1), "protocol": "kNN on raw pixels, same split (baseline)", "source": "this recipe"},
    }, "reported": {}}
    description = (
        f"{results['method']} {results['encoder']} pretrained here on {results['dataset']} for "
        f"{results['epochs']} epochs ({results['train_seconds']} s, {results['backend']}); a short run."
    )
    write_zoo_entry(preset_dir, args.zoo_entry, description, command, metrics)
    print(f"  zoo entry written: {args.zoo_entry}")


def main(argv=None):
    args = build_parser().parse_args(argv)
    args.command = common.command_line("pretrain", argv)
    return run(args)
