"""A small MAE in the official module layout (models_mae.py), for converter tests.

Attribute names follow the authors' `MaskedAutoencoderViT`, so its
`state_dict()` has the keys of their checkpoints; the forward passes follow
their encoder (random masking by argsort of noise) and decoder (unshuffle
with mask tokens).
"""

import functools

import numpy as np
import torch
from timm.models.vision_transformer import Block
from timm.models.vision_transformer import PatchEmbed
from torch import nn


class MAEReference(nn.Module):
    def __init__(self, size=32, patch=8, dim=32, depth=2, heads=4,
                 decoder_dim=16, decoder_depth=2, decoder_heads=2):
        super().__init__()
        self.patch_embed = PatchEmbed(size, patch, 3, dim)
        n = self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim), requires_grad=False)
        norm = functools.partial(nn.LayerNorm, eps=1e-6)
        self.blocks = nn.ModuleList([Block(dim, heads, 4.0, qkv_bias=True, norm_layer=norm) for _ in range(depth)])
        self.norm = norm(dim)
        self.decoder_embed = nn.Linear(dim, decoder_dim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, decoder_dim))
        self.decoder_pos_embed = nn.Parameter(torch.zeros(1, n + 1, decoder_dim), requires_grad=False)
        self.decoder_blocks = nn.ModuleList(
            [Block(decoder_dim, decoder_heads, 4.0, qkv_bias=True, norm_layer=norm) for _ in range(decoder_depth)]
        )
        self.decoder_norm = norm(decoder_dim)
        self.decoder_pred = nn.Linear(decoder_dim, patch * patch * 3)

    def forward_encoder(self, x, noise, len_keep):
        x = self.patch_embed(x) + self.pos_embed[:, 1:, :]
        ids_shuffle = torch.argsort(noise, dim=1)
        ids_restore = torch.argsort(ids_shuffle, dim=1)
        ids_keep = ids_shuffle[:, :len_keep]
        x = torch.gather(x, 1, ids_keep.unsqueeze(-1).repeat(1, 1, x.shape[2]))
        mask = torch.ones(x.shape[0], noise.shape[1])
        mask[:, :len_keep] = 0
        mask = torch.gather(mask, 1, ids_restore)
        cls = (self.cls_token + self.pos_embed[:, :1, :]).expand(x.shape[0], -1, -1)
        x = torch.cat((cls, x), dim=1)
        for block in self.blocks:
            x = block(x)
        return self.norm(x), mask, ids_restore, ids_keep

    def forward_decoder(self, x, ids_restore):
        x = self.decoder_embed(x)
        mask_tokens = self.mask_token.repeat(x.shape[0], ids_restore.shape[1] + 1 - x.shape[1], 1)
        x_ = torch.cat([x[:, 1:, :], mask_tokens], dim=1)
        x_ = torch.gather(x_, 1, ids_restore.unsqueeze(-1).repeat(1, 1, x.shape[2]))
        x = torch.cat([x[:, :1, :], x_], dim=1) + self.decoder_pos_embed
        for block in self.decoder_blocks:
            x = block(x)
        return self.decoder_pred(self.decoder_norm(x))[:, 1:, :]


@torch.no_grad()
def mae_case(out, x, to_torch, randomize, save):
    model = randomize(MAEReference(), 30)
    inputs = to_torch(x)
    n = model.patch_embed.num_patches
    full_noise = torch.arange(n, dtype=torch.float32).repeat(len(x), 1)
    encoded, _, _, _ = model.forward_encoder(inputs, full_noise, n)
    noise = torch.rand(len(x), n, generator=torch.Generator().manual_seed(31))
    latent, mask, ids_restore, ids_keep = model.forward_encoder(inputs, noise, n // 4)
    pixels = model.forward_decoder(latent, ids_restore)
    # The visible tokens back at their image positions, as MAEDecoder takes them.
    tokens = np.zeros((len(x), n + 1, latent.shape[-1]), "float32")
    tokens[:, 0] = latent[:, 0].numpy()
    for row in range(len(x)):
        tokens[row, 1 + ids_keep[row].numpy()] = latent[row, 1:].numpy()
    checkpoint = {"model": model.state_dict(), "epoch": 1600}
    save(out, "mae_vit", checkpoint, x, encoded[:, 0].numpy(),
         tokens=tokens, mask=mask.numpy(), pixels=pixels.numpy())
