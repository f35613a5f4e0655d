"""Recipes: pretraining and evaluation jobs with stated commands and results.

Each recipe is a module with `main(argv)`; run it as
`keras-ssl recipe NAME [options]` or `python recipes/NAME.py [options]`
(`--help` lists the options). Every recipe defaults to the embedded
`shapes` data set and also takes tensorflow-datasets names (cifar10, stl10,
imagenette, imagenet2012, ...) and image folders (`--dataset`).
"""

import importlib

RECIPES = (
    "pretrain", "linear_probe", "knn_sweep", "finetune", "lora_finetune",
    "semi_supervised", "few_shot",
)


def run(name, argv=None):
    """Runs recipe `name` with command-line options `argv`; returns 0."""
    if name not in RECIPES:
        raise ValueError(f"Unknown recipe {name!r}. Expected one of {list(RECIPES)}.")
    module = importlib.import_module(f"keras_ssl.recipes.{name}")
    module.main(argv)
    return 0
