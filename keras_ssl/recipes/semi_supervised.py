"""Recipe: semi-supervised fine-tuning with 1% or 10% of the labels.

    keras-ssl recipe semi_supervised --preset simclr_small_cnn_shapes --label-fraction 0.1

The pretrained encoder is fine-tuned on a class-balanced fraction of the
training labels (the SimCLR paper's 1% / 10% protocol); `--from-scratch`
gives the supervised baseline on the same labels.
"""

from keras_ssl.recipes import common
from keras_ssl.recipes import finetune


def main(argv=None):
    p = finetune.build_parser("Fine-tuning with a fraction of the labels.")
    p.set_defaults(label_fraction=0.1)
    args = p.parse_args(argv)
    return common.report(finetune.finetune(args), args.output)
