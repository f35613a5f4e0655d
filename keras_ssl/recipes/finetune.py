"""Recipe: fine-tune a pretrained encoder with a linear classifier on top.

    keras-ssl recipe finetune --preset simclr_small_cnn_shapes --epochs 10

Full fine-tuning trains every weight. `--lora-rank R` instead freezes the
encoder and trains low-rank adapters (Keras `enable_lora`) on its
convolutions and dense layers, plus the classifier (the `lora_finetune`
recipe). `--label-fraction` keeps a class-balanced fraction of the
training labels (the `semi_supervised` recipe); `--from-scratch` trains the
same architecture from random weights, the baseline to compare with.
"""

import keras
import numpy as np

from keras_ssl.backend import route_fast_kernels
from keras_ssl.recipes import common


def build_parser(description="Fine-tune an encoder on labelled data."):
    p = common.parser(description)
    common.add_preset_option(p)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--lora-rank", type=int, default=None)
    p.add_argument("--label-fraction", type=float, default=1.0)
    p.add_argument("--from-scratch", action="store_true")
    return p


def enable_lora(encoder, rank):
    """Freezes `encoder` and adds rank-`rank` adapters; returns their count."""
    adapted = 0
    for layer in encoder._flatten_layers(include_self=False):
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense, keras.layers.EinsumDense)):
            layer.enable_lora(rank)
            adapted += 1
        else:
            layer.trainable = False
    if not adapted:
        raise ValueError("The encoder has no Conv2D / Dense layer to adapt with LoRA.")
    return adapted


def classifier(encoder, num_classes, train_encoder):
    inputs = keras.Input(encoder.input_shape[1:])
    x = keras.layers.RandomFlip("horizontal")(inputs)
    x = keras.layers.RandomTranslation(0.1, 0.1)(x)
    # A frozen or LoRA-adapted encoder keeps its BatchNorm statistics.
    features = encoder(x, training=None if train_encoder else False)
    outputs = keras.layers.Dense(num_classes, name="classifier")(features)
    return keras.Model(inputs, outputs)


def finetune(args):
    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = common.load_splits(args)
    if not 0 < args.label_fraction <= 1:
        raise ValueError(f"`--label-fraction` must be in (0, 1]. Received: {args.label_fraction}.")
    if args.label_fraction < 1:
        keep = common.label_subset(y_train, args.label_fraction, args.seed)
        x_train, y_train = x_train[keep], y_train[keep]
    encoder = common.load_encoder(args.preset, args.allow_unpinned)
    if args.from_scratch:
        encoder = keras.models.clone_model(encoder)
    adapters = enable_lora(encoder, args.lora_rank) if args.lora_rank else None
    model = classifier(encoder, int(max(y_train.max(), y_test.max())) + 1, train_encoder=not args.lora_rank)
    route_fast_kernels(model)
    model.compile(
        optimizer=keras.optimizers.AdamW(args.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    batch = min(args.batch_size, len(x_train))
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=batch, verbose=2)
    logits = model.predict(x_test, batch_size=256, verbose=0)
    return {
        "preset": args.preset, "dataset": args.dataset, "epochs": args.epochs,
        "labelled_images": int(len(x_train)), "label_fraction": args.label_fraction,
        "lora_rank": args.lora_rank, "lora_layers": adapters, "from_scratch": args.from_scratch,
        "trainable_parameters": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
        "test_accuracy": float(np.mean(np.argmax(logits, axis=1) == y_test)),
    }


def main(argv=None):
    args = build_parser().parse_args(argv)
    return common.report(finetune(args), args.output)
