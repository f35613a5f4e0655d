"""Recipe: LoRA fine-tuning (Keras `enable_lora`) of a frozen encoder.

    keras-ssl recipe lora_finetune --preset simclr_small_cnn_shapes --lora-rank 4
"""

from keras_ssl.recipes import common
from keras_ssl.recipes import finetune


def main(argv=None):
    p = finetune.build_parser("LoRA fine-tuning of a frozen encoder.")
    p.set_defaults(lora_rank=4)
    args = p.parse_args(argv)
    return common.report(finetune.finetune(args), args.output)
