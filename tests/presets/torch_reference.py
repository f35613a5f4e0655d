"""Builds reference PyTorch networks and saves them in the official layouts.

Run as a script in its own process (torchvision aborts a process that has
imported tensorflow first): `python torch_reference.py OUT_DIR`. For each
case it writes `<case>.pth` (or `.safetensors`) with random weights in the
file layout of the authors' code, and `<case>.npz` with the input images
(NHWC, [0, 255]) and the reference features.
"""

import argparse
import math
import os
import sys

import numpy as np
import timm
import torch
import torchvision
from torch import nn

MEAN = np.array([0.485, 0.456, 0.406], "float32")
STD = np.array([0.229, 0.224, 0.225], "float32")


def randomize(model, seed):
    """Weights that exercise every mapping: no zero/one BatchNorm statistics."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point():
                continue
            if "running_var" in name:
                tensor.copy_(torch.rand(tensor.shape, generator=generator) + 0.5)
            elif tensor.ndim >= 2 and "token" not in name and "pos" not in name:
                fan_in = math.prod(tensor.shape[1:])
                tensor.copy_(torch.randn(tensor.shape, generator=generator) / math.sqrt(fan_in))
            else:
                tensor.copy_(torch.rand(tensor.shape, generator=generator) - 0.5)
                if name.endswith("weight") and tensor.ndim == 1:
                    tensor.add_(1.0)
    return model.eval()


def images(size, seed=0, count=2):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 255, (count, size, size, 3)).astype("float32")


def to_torch(x):
    normed = (x * np.float32(1 / 255) - MEAN) / STD
    return torch.from_numpy(np.ascontiguousarray(normed.transpose(0, 3, 1, 2)))


def resnet(kind, blocks, seed, with_fc=True):
    block = torchvision.models.resnet.Bottleneck if kind == "bottleneck" else torchvision.models.resnet.BasicBlock
    model = randomize(torchvision.models.ResNet(block, blocks, num_classes=7), seed)
    if not with_fc:
        del model.fc
        model.fc = nn.Identity()
    return model


@torch.no_grad()
def resnet_features(model, x):
    backbone = nn.Sequential(*list(model.children())[:-1])
    return backbone(to_torch(x)).flatten(1).numpy()


def prefixed(state_dict, prefix):
    return {prefix + k: v for k, v in state_dict.items()}


def mlp(sizes, seed):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [nn.Linear(a, b)] + ([nn.ReLU()] if i < len(sizes) - 2 else [])
    return randomize(nn.Sequential(*layers), seed)


def save(out, case, checkpoint, x, features, **extra):
    if case.endswith("safetensors"):
        from safetensors.torch import save_file

        save_file({k: v.contiguous() for k, v in checkpoint.items()}, os.path.join(out, f"{case}.safetensors"))
    else:
        torch.save(checkpoint, os.path.join(out, f"{case}.pth"))
    np.savez(os.path.join(out, f"{case}.npz"), images=x, features=features, **extra)


def resnet_cases(out):
    x = images(64)
    model = resnet("basic", [1, 1, 1, 1], 1)
    save(out, "torchvision_resnet", model.state_dict(), x, resnet_features(model, x))
    save(out, "torchvision_resnet_safetensors", model.state_dict(), x, resnet_features(model, x))
    # MoCo v2, full-size ResNet-50: encoder_q with its MLP head, encoder_k, queue.
    q = resnet("bottleneck", [3, 4, 6, 3], 2)
    q.fc = mlp([2048, 2048, 128], 3)
    k = resnet("bottleneck", [3, 4, 6, 3], 4)
    k.fc = mlp([2048, 2048, 128], 5)
    state = {**prefixed(q.state_dict(), "module.encoder_q."), **prefixed(k.state_dict(), "module.encoder_k.")}
    state["module.queue"] = torch.randn(128, 16)
    state["module.queue_ptr"] = torch.zeros(1, dtype=torch.long)
    features = resnet_features(q, x)
    save(out, "moco_v2_resnet", {"epoch": 800, "arch": "resnet50", "state_dict": state, "optimizer": {}}, x, features)
    base = resnet("bottleneck", [1, 1, 1, 1], 6)
    base.fc = mlp([2048, 32, 16], 7)
    state = {**prefixed(base.state_dict(), "module.base_encoder."),
             **prefixed(base.state_dict(), "module.momentum_encoder."),
             **prefixed(mlp([16, 32, 16], 8).state_dict(), "module.predictor.")}
    save(out, "moco_v3_resnet", {"epoch": 1, "arch": "resnet50", "state_dict": state}, x, resnet_features(base, x))
    swav = resnet("bottleneck", [1, 2, 1, 1], 9, with_fc=False)
    state = prefixed(swav.state_dict(), "module.")
    state.update(prefixed(mlp([2048, 64, 16], 10).state_dict(), "module.projection_head."))
    state["module.prototypes.weight"] = torch.randn(30, 16)
    save(out, "swav_resnet", state, x, resnet_features(swav, x))
    plain = resnet("bottleneck", [1, 1, 2, 1], 11, with_fc=False)
    plain_state = {k: v for k, v in plain.state_dict().items() if not k.startswith("fc.")}
    save(out, "barlow_twins_resnet", plain_state, x, resnet_features(plain, x))
    teacher = resnet("basic", [2, 1, 1, 1], 12, with_fc=False)
    teacher_state = prefixed({k: v for k, v in teacher.state_dict().items() if not k.startswith("fc.")}, "backbone.")
    teacher_state.update(prefixed(mlp([512, 16, 8], 13).state_dict(), "head.mlp."))
    full = {"teacher": teacher_state, "student": prefixed(teacher_state, "module."), "epoch": 3,
            "args": argparse.Namespace(arch="resnet50", lr=0.03)}
    save(out, "dino_resnet", full, x, resnet_features(teacher, x))


def tiny_vit(seed, num_classes=0, heads=4, size=32, patch=8):
    model = timm.models.vision_transformer.VisionTransformer(
        img_size=size, patch_size=patch, embed_dim=32, depth=2, num_heads=heads,
        mlp_ratio=2, qkv_bias=True, num_classes=num_classes, global_pool="token",
    )
    return randomize(model, seed)


@torch.no_grad()
def vit_features(model, x):
    return model.forward_head(model.forward_features(to_torch(x)), pre_logits=True).numpy()


def vit_cases(out):
    x = images(32)
    model = tiny_vit(20, num_classes=5)
    save(out, "timm_vit", model.state_dict(), x, vit_features(model, x))
    dino = tiny_vit(21, heads=2)
    save(out, "dino_vit", dino.state_dict(), x, vit_features(dino, x))
    moco = tiny_vit(22, heads=4)
    moco.head = mlp([32, 16, 16, 8], 23)
    state = {**prefixed(moco.state_dict(), "module.base_encoder."),
             **prefixed(moco.state_dict(), "module.momentum_encoder."),
             **prefixed(mlp([8, 16, 8], 24).state_dict(), "module.predictor.")}
    moco.head = nn.Identity()
    save(out, "moco_v3_vit", {"epoch": 300, "state_dict": state}, x, vit_features(moco, x))
    tv = randomize(torchvision.models.VisionTransformer(
        image_size=32, patch_size=8, num_layers=2, num_heads=4, hidden_dim=32, mlp_dim=64, num_classes=5), 25)
    with torch.no_grad():
        tokens = tv._process_input(to_torch(x))
        tokens = torch.cat([tv.class_token.expand(len(x), -1, -1), tokens], dim=1)
        features = tv.encoder(tokens)[:, 0].numpy()
    save(out, "torchvision_vit", tv.state_dict(), x, features)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    resnet_cases(out)
    vit_cases(out)
    from mae_reference import mae_case

    mae_case(out, images(32), to_torch, randomize, save)


if __name__ == "__main__":
    main()
