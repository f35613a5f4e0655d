"""Recipe: linear probe of a frozen encoder (test accuracy of a linear classifier).

    keras-ssl recipe linear_probe --preset simclr_small_cnn_shapes
"""

from keras_ssl import evaluation
from keras_ssl.recipes import common


def build_parser():
    p = common.parser("Linear probe on frozen features.")
    common.add_preset_option(p)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.0)
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    encoder = common.load_encoder(args.preset, args.allow_unpinned)
    train, test = common.load_splits(args)
    probe = evaluation.linear_probe(
        encoder, train, test, epochs=args.epochs,
        learning_rate=args.learning_rate, weight_decay=args.weight_decay,
    )
    return common.report({
        "preset": args.preset, "dataset": args.dataset, "epochs": args.epochs,
        "linear_probe_accuracy": probe["accuracy"],
    }, args.output)
