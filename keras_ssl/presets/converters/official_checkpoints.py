"""The layouts of the official PyTorch checkpoints of SSL papers.

Each family names where the encoder's weights sit in the file (the entry,
the key prefix), which other parts of the file are known and left out
(momentum encoders, queues, heads, optimizer state), and the architecture.
Layouts, from the authors' code:

- MoCo v2 (`moco_v2_*ep_pretrain.pth.tar`): `state_dict` ->
  `module.encoder_q.*` (torchvision ResNet-50, MLP head `fc.0`/`fc.2`),
  `module.encoder_k.*`, `module.queue`, `module.queue_ptr`.
- MoCo v3 (`r-50-*ep.pth.tar`, `vit-{s,b}-300ep.pth.tar`): `state_dict` ->
  `module.base_encoder.*` (projector in `fc.*` / `head.*`),
  `module.momentum_encoder.*`, `module.predictor.*`. Its ViT-S has 12 heads.
- DINO: backbone-only files are a plain state dict (timm ViT, 6 heads for
  ViT-S; torchvision ResNet-50 without `fc`); full checkpoints hold
  `teacher` / `student` dicts with `backbone.*` and `head.*`.
- SwAV (`swav_800ep_pretrain.pth.tar`): `module.*` ResNet-50 plus
  `module.projection_head.*` and `module.prototypes.*`.
- Barlow Twins, VICReg (`resnet50.pth`): plain torchvision ResNet-50
  without `fc`.
- MAE: `model` -> timm ViT plus the decoder (`mae_converter`).
"""

RESNET = "resnet"
VIT = "vit"
MAE = "mae"

FAMILIES = {
    "moco_v2_resnet": dict(arch=RESNET, key="state_dict", prefix="module.encoder_q.",
                           outside=("module.encoder_k.", "module.queue"), ignore=("fc.",)),
    "moco_v3_resnet": dict(arch=RESNET, key="state_dict", prefix="module.base_encoder.",
                           outside=("module.momentum_encoder.", "module.predictor."),
                           ignore=("fc.",)),
    "moco_v3_vit": dict(arch=VIT, key="state_dict", prefix="module.base_encoder.",
                        outside=("module.momentum_encoder.", "module.predictor."),
                        ignore=("head.",), num_heads=12),
    "dino_resnet": dict(arch=RESNET, key=None, prefix="", ignore=("fc.",),
                        full=("teacher", "backbone.", ("head.",))),
    "dino_vit": dict(arch=VIT, key=None, prefix="", ignore=("head.",), num_heads=None,
                     full=("teacher", "backbone.", ("head.",))),
    "swav_resnet": dict(arch=RESNET, key=None, prefix="module.", outside=(),
                        ignore=("projection_head.", "prototypes.", "fc.")),
    "barlow_twins_resnet": dict(arch=RESNET, key=None, prefix="", ignore=("fc.",)),
    "vicreg_resnet": dict(arch=RESNET, key=None, prefix="", ignore=("fc.",)),
    "mae_vit": dict(arch=MAE, key="model", prefix="", ignore=(), num_heads=None),
    "torchvision_resnet": dict(arch=RESNET, key=None, prefix="", ignore=("fc.",)),
    "timm_resnet": dict(arch=RESNET, key=None, prefix="", ignore=("fc.",)),
    "timm_vit": dict(arch=VIT, key=None, prefix="", ignore=("head.",), num_heads=None),
    "torchvision_vit": dict(arch=VIT, key=None, prefix="", ignore=("heads.",),
                            num_heads=None, layout="torchvision"),
}


def get_family(family):
    """The layout spec of checkpoint family `family`."""
    if family not in FAMILIES:
        raise ValueError(
            f"Unknown checkpoint family {family!r}. Expected one of {sorted(FAMILIES)}."
        )
    return FAMILIES[family]
