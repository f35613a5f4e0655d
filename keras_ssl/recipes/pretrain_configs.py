"""Pretraining configs: the paper's setting and a small-CPU variant per method.

`paper`: the method's constructor defaults (which are the paper's), a
ResNet-50 with the ImageNet stem on 224-px ImageNet, and the paper's batch
size, epochs and optimizer. Keras has no LARS optimizer; configs of papers
that used LARS use SGD with momentum 0.9 at the paper's learning rate
instead, and say so (`paper_optimizer`). These runs need accelerators and
ImageNet (tensorflow-datasets `imagenet2012`, downloaded by hand); their
accuracy is the paper's (`reported`), not measured here.

`small_cpu`: the small-data settings of `keras_ssl.pipeline` (narrower
heads, CIFAR-scale temperatures, faster momenta, the embedded data set's
crop scale) with the SmallCNN, sized for 2 CPU cores. `expected` holds
what was measured on the embedded `shapes` set, or says that nothing was.

Every config states its `command`, `expected_run_time` and `expected`
accuracy.
"""

import json
import os

from keras_ssl import pipeline

COMMAND = "keras-ssl recipe pretrain --config {name}:{variant}"

# (batch, epochs, optimizer, learning rate, weight decay, paper optimizer,
#  reported ImageNet linear top-1 %, source)
PAPER = {
    "simclr": (4096, 1000, "sgd", 4.8, 1e-6, "LARS", 69.3, "SimCLR, arXiv 2002.05709"),
    "moco_v2": (256, 800, "sgd", 0.03, 1e-4, "SGD", 71.1, "facebookresearch/moco README"),
    "byol": (4096, 1000, "sgd", 3.2, 1.5e-6, "LARS", 74.3, "BYOL, arXiv 2006.07733"),
    "simsiam": (512, 100, "sgd", 0.1, 1e-4, "SGD", 68.1, "SimSiam, arXiv 2011.10566"),
    "barlow_twins": (2048, 1000, "sgd", 0.2, 1.5e-6, "LARS", 73.2, "Barlow Twins, arXiv 2103.03230"),
    "vicreg": (2048, 1000, "sgd", 0.2, 1e-6, "LARS", 73.2, "VICReg, arXiv 2105.04906"),
    "moco_v3": (4096, 1000, "sgd", 0.3, 1.5e-6, "LARS", 74.6, "facebookresearch/moco-v3 CONFIG.md"),
    "nnclr": (4096, 1000, "sgd", 4.8, 1e-6, "LARS", 75.4, "NNCLR, arXiv 2104.14548"),
    "dcl": (256, 200, "sgd", 0.3, 1e-6, "LARS", None, "DCL, arXiv 2110.06848"),
    "dclw": (256, 200, "sgd", 0.3, 1e-6, "LARS", None, "DCL, arXiv 2110.06848"),
    # The README's ResNet-50 command: SGD, weight decay 1e-4, default lr
    # 5e-4 per 256 images, 100 epochs; 75.3 is its released RN50 checkpoint.
    "dino": (1024, 100, "sgd", 5e-4 * 1024 / 256, 1e-4, "SGD", 75.3,
             "facebookresearch/dino README (released ResNet-50 checkpoint)"),
    # 800 epochs, multi-crop 2x224 + 6x96, LARS at 4.8 for batch 4096.
    "swav": (4096, 800, "sgd", 4.8, 1e-6, "LARS", 75.3, "facebookresearch/swav README"),
    # The paper trains ViTs (configs/pretrain/msn_vits16.yaml: AdamW, lr 1e-3,
    # weight decay 0.04, 800 epochs); keras_ssl has no ViT encoder yet, so
    # this config runs a ResNet-50 and has no reported number to match.
    "msn": (1024, 800, "adamw", 1e-3, 0.04, "AdamW", None,
            "facebookresearch/msn configs/pretrain/msn_vits16.yaml (ViT-S/16)"),
}

# What benchmarks/quality_cpu.py --record measured with keras_ssl on the
# embedded `shapes` set (SmallCNN, 2 CPU cores): kNN k=200 / linear probe, %.
MEASURED_FILE = os.path.join(os.path.dirname(__file__), "measured_small_cpu.json")


def measured_small_cpu():
    """The recorded measurements per method ({} before any was recorded)."""
    if not os.path.exists(MEASURED_FILE):
        return {}
    with open(MEASURED_FILE) as f:
        return json.load(f)


def _paper(name):
    batch, epochs, optimizer, lr, wd, paper_optimizer, top1, source = PAPER[name]
    return {
        "method_kwargs": {}, "encoder": "resnet50", "stem": "imagenet",
        "dataset": "imagenet2012", "image_size": 224, "batch_size": batch,
        "epochs": epochs, "optimizer": optimizer, "learning_rate": lr,
        "weight_decay": wd, "paper_optimizer": paper_optimizer,
        "command": COMMAND.format(name=name, variant="paper"),
        "expected_run_time": "days on 8-64 accelerators (the papers'); not run here",
        "expected": {
            "status": "reported" if top1 is not None else "not recorded",
            "imagenet_linear": top1, "source": source,
        },
    }


def _small_cpu(name):
    measured = measured_small_cpu().get(name)
    epochs = pipeline.SMALL_DATA_EPOCHS[name]
    return {
        "method_kwargs": dict(pipeline.SMALL_DATA_SETTINGS.get(name, {})),
        "encoder": "small_cnn", "stem": None, "dataset": "shapes",
        "image_size": None, "batch_size": 256, "epochs": epochs,
        "optimizer": "adamw", "learning_rate": 1e-3, "weight_decay": 0.004,
        "paper_optimizer": None,
        "command": COMMAND.format(name=name, variant="small_cpu"),
        "expected_run_time": (
            f"{measured['train_seconds']} s of training for {measured['epochs']} epochs "
            f"on 2 CPU cores ({measured['backend']})"
            if measured else "not measured for this method"
        ),
        "expected": (
            {"status": "measured", **measured} if measured
            else {"status": "not measured yet"}
        ),
    }


CONFIGS = {
    name: {"paper": _paper(name), "small_cpu": _small_cpu(name)} for name in PAPER
}


def get_config(spec):
    """The config named `"method:variant"` (variant defaults to small_cpu)."""
    name, _, variant = spec.partition(":")
    variant = variant or "small_cpu"
    if name not in CONFIGS or variant not in CONFIGS[name]:
        raise ValueError(
            f"Unknown config {spec!r}. Expected 'METHOD:VARIANT' with METHOD in "
            f"{sorted(CONFIGS)} and VARIANT in ['paper', 'small_cpu']."
        )
    return name, variant, dict(CONFIGS[name][variant])
