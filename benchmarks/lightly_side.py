"""The lightly (PyTorch) counterparts of keras_ssl's small-data methods.

Mirrors `keras_ssl.pipeline.build_method`: the same encoders (the SmallCNN's
conv-BN-ReLU stages; torchvision's ResNet-18 with the CIFAR stem), heads,
temperatures, queue sizes, momenta and augmentations, built from lightly's
modules, losses and transforms. Import torchvision before tensorflow in a
process that uses both; the benchmarks run this module in its own process.
"""

import copy

import torchvision  # noqa: F401  (first: see docs of this module)
import torch
from lightly.loss import NegativeCosineSimilarity
from lightly.loss import NTXentLoss
from lightly.models.modules import BYOLPredictionHead
from lightly.models.modules import BYOLProjectionHead
from lightly.models.modules import MoCoProjectionHead
from lightly.models.modules.heads import ProjectionHead
from lightly.models.utils import deactivate_requires_grad
from lightly.models.utils import update_momentum
from lightly.transforms import BYOLTransform
from lightly.transforms import BYOLView1Transform
from lightly.transforms import BYOLView2Transform
from lightly.transforms import MoCoV2Transform
from lightly.transforms import SimCLRTransform
from lightly.utils.scheduler import cosine_schedule
from torch import nn

# keras_ssl.encoders.resnet: BatchNorm momentum 0.9 (0.1 in PyTorch's
# convention) and epsilon 1e-5, shared by the SmallCNN.
BN_EPSILON = 1e-5


def small_cnn(widths=(32, 64, 128, 256), strides=(2, 2, 2, 1)):
    """keras_ssl.encoders.SmallCNN's layers: 3x3 conv-BN-ReLU stages, pool."""
    layers, channels = [], 3
    for width, stride in zip(widths, strides):
        layers += [
            nn.Conv2d(channels, width, 3, stride, 1, bias=False),
            nn.BatchNorm2d(width, eps=BN_EPSILON),
            nn.ReLU(inplace=True),
        ]
        channels = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), channels


def cifar_resnet18():
    """torchvision ResNet-18 with the CIFAR stem: 3x3 stride-1 conv, no pool."""
    net = torchvision.models.resnet18()
    net.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    net.maxpool = nn.Identity()
    net.fc = nn.Identity()
    return net, 512


ENCODERS = {"small_cnn": small_cnn, "resnet18": cifar_resnet18}


def transform(method, crop_scale=(0.25, 1.0)):
    """lightly's transform equal to keras_ssl.pipeline.AUGMENTATIONS[method].

    No blur (keras_ssl's presets drop it at 32 pixels), no normalization:
    tensors in [0, 1], like keras_ssl's encoders after their Rescaling.
    """
    common = dict(input_size=32, min_scale=crop_scale[0], gaussian_blur=0.0,
                  normalize=None)
    if method == "simclr":
        return SimCLRTransform(cj_strength=0.5, **common)
    if method == "moco_v2":
        return MoCoV2Transform(**common)
    if method == "byol":
        return BYOLTransform(
            view_1_transform=BYOLView1Transform(solarization_prob=0.0, **common),
            view_2_transform=BYOLView2Transform(solarization_prob=0.2, **common),
        )
    raise ValueError(f"No lightly counterpart for method {method!r}.")


class LightlyMethod(nn.Module):
    """One of SimCLR, BYOL, MoCo v2 with keras_ssl's small-data settings.

    `loss(views)` returns the training loss of a step; `after_step(step,
    total_steps)` moves the momentum branches, as keras_ssl does after its
    optimizer update.
    """

    def __init__(self, method, encoder="small_cnn", settings=None):
        super().__init__()
        settings = dict(settings or {})
        self.method = method
        self.backbone, dim = ENCODERS[encoder]()
        hidden = settings.get("projection_hidden_dim")
        out = settings.get("projection_dim", 128)
        self.base_momentum = settings.get("base_momentum")
        self.target = None
        if method == "simclr":
            # keras_ssl's SimCLR head: Dense-BN-ReLU-Dense with a bias, no
            # output BatchNorm (lightly's SimCLRProjectionHead has one).
            self.head = ProjectionHead(
                [(dim, hidden, nn.BatchNorm1d(hidden), nn.ReLU()),
                 (hidden, out, None, None)]
            )
            self.criterion = NTXentLoss(temperature=settings["temperature"])
        elif method == "byol":
            self.head = BYOLProjectionHead(dim, hidden, out)
            self.predictor = BYOLPredictionHead(out, hidden, out)
            self.criterion = NegativeCosineSimilarity()
        elif method == "moco_v2":
            self.head = MoCoProjectionHead(dim, hidden, out)
            self.criterion = NTXentLoss(
                temperature=settings["temperature"],
                memory_bank_size=(settings["queue_size"], out),
            )
        else:
            raise ValueError(f"No lightly counterpart for method {method!r}.")
        if method in ("byol", "moco_v2"):
            self.target = nn.ModuleList(
                [copy.deepcopy(self.backbone), copy.deepcopy(self.head)]
            )
            deactivate_requires_grad(self.target)

    def loss(self, views):
        if self.method == "simclr":
            # Both views in one pass, as keras_ssl: BatchNorm over 2b images.
            z = self.head(self.backbone(torch.cat(views)))
            return self.criterion(*z.chunk(2))
        if self.method == "byol":
            images = torch.cat(views)
            p0, p1 = self.predictor(self.head(self.backbone(images))).chunk(2)
            with torch.no_grad():
                t0, t1 = self.target[1](self.target[0](images)).chunk(2)
            # keras_ssl's form: 2 - 2 cos per direction, summed.
            return 4.0 + 2.0 * (self.criterion(p0, t1) + self.criterion(p1, t0))
        query = self.head(self.backbone(views[0]))
        with torch.no_grad():
            key = self.target[1](self.target[0](views[1]))
        return self.criterion(query, key)

    def after_step(self, step, total_steps):
        if self.target is None:
            return
        momentum = self.base_momentum
        if self.method == "byol":
            # keras_ssl's BYOL: cosine from base_momentum to 1 over the run;
            # MoCo v2 keeps it constant.
            momentum = cosine_schedule(step, total_steps, momentum, 1.0)
        update_momentum(self.backbone, self.target[0], momentum)
        update_momentum(self.head, self.target[1], momentum)


def adamw(module, learning_rate=1e-3):
    """torch AdamW with keras.optimizers.AdamW's defaults."""
    params = [p for p in module.parameters() if p.requires_grad]
    return torch.optim.AdamW(
        params, lr=learning_rate, weight_decay=0.004, eps=1e-7
    )


class ImageDataset(torch.utils.data.Dataset):
    """uint8 (n, h, w, c) images through a lightly transform (PIL input)."""

    def __init__(self, images, transform_fn):
        self.images = images
        self.transform_fn = transform_fn

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        from PIL import Image

        return self.transform_fn(Image.fromarray(self.images[index]))


def loader(images, method, batch_size, workers, shuffle=True, seed=0):
    """A DataLoader of view lists made by lightly's transform in workers."""
    generator = torch.Generator().manual_seed(seed)
    return torch.utils.data.DataLoader(
        ImageDataset(images, transform(method)),
        batch_size=batch_size,
        shuffle=shuffle,
        num_workers=workers,
        persistent_workers=workers > 0,
        generator=generator,
    )


def features(backbone, images, batch_size=500):
    """Inference-mode features of uint8 NHWC images, as numpy."""
    backbone.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            x = torch.as_tensor(images[start:start + batch_size])
            x = x.permute(0, 3, 1, 2).float() / 255.0
            out.append(backbone(x).numpy())
    import numpy as np

    return np.concatenate(out)
