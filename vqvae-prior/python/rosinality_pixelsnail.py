#!/usr/bin/env python3
"""A PyTorch PixelSNAIL laid out as rosinality/vq-vae-2-pytorch's pixelsnail.py lays it out (same
module and parameter names, so the same state_dict keys), for the check of RosinalityPixelSnail
(vqvae-prior, org.vqvae.prior.rosinality):

    rosinality_pixelsnail.py DIR

writes, for each of a small top prior (8x8 codes, attention), a small bottom prior (16x16 codes
conditioned on 8x8 top codes through the conditioning ResNet, no attention) and a conditioned 8x8
prior with attention computed as the early pixelsnail.py did (its ELU in place), into DIR/top,
DIR/bottom and DIR/legacy:

    state_dict.npz   every state_dict tensor under its key (seeded random weights; weight_v entries
                     the causal mask zeroes are left non-zero, as after a training step)
    args.json        the constructor arguments
    codes.npy        [N, H, W] int64 input codes
    condition.npy    [N, H/2, W/2] int64 (bottom only)
    logits.npy       [N, K, H, W] float32, eval mode
    rows.npy         [N, K, r, W] logits of the same model given only the first r = H/2 rows

This is an independent re-implementation written for the check, not rosinality's file; the
weight normalisation is torch.nn.utils.weight_norm itself.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class WNConv2d(nn.Module):
    """nn.Conv2d under weight_norm, held as .conv (keys: conv.weight_g, conv.weight_v, conv.bias)."""

    def __init__(self, cin, cout, kernel, padding=0, bias=True):
        super().__init__()
        self.conv = nn.utils.weight_norm(nn.Conv2d(cin, cout, kernel, padding=padding, bias=bias))

    def forward(self, x):
        return self.conv(x)


class CausalConv2d(nn.Module):
    """Zero-pads on top (kh - 1) and the sides, then a WNConv2d held as .conv.

    down: sides kw // 2 each; downright: kw - 1 on the left only; causal: as down, and the last
    kernel row is cut at the centre column (the current position and those right of it)."""

    def __init__(self, cin, cout, kernel, padding):
        super().__init__()
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        if padding == 'downright':
            self.pad = (kw - 1, 0, kh - 1, 0)
        else:
            self.pad = (kw // 2, kw // 2, kh - 1, 0)
        self.cut = kw // 2 if padding == 'causal' else 0
        self.conv = WNConv2d(cin, cout, (kh, kw))

    def forward(self, x):
        if self.cut > 0:
            # the same in-place cut the original makes before the weight is normalised
            self.conv.conv.weight_v.data[:, :, -1, self.cut:] = 0
        return self.conv(F.pad(x, self.pad))


class GatedResBlock(nn.Module):
    def __init__(self, cin, channel, kernel, conv='wnconv2d', dropout=0.1, auxiliary_channel=0,
                 condition_dim=0, inplace=False):
        super().__init__()
        # inplace: the early file's nn.ELU(inplace=True), which overwrites the block's input
        self.inplace = inplace
        if conv == 'wnconv2d':
            make = lambda i, o: WNConv2d(i, o, kernel, padding=kernel // 2)
        else:
            make = lambda i, o: CausalConv2d(i, o, kernel, padding=conv)
        self.conv1 = make(cin, channel)
        if auxiliary_channel > 0:
            self.aux_conv = WNConv2d(auxiliary_channel, channel, 1)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = make(channel, 2 * cin)
        if condition_dim > 0:
            self.condition = WNConv2d(condition_dim, 2 * cin, 1, bias=False)

    def forward(self, x, aux=None, condition=None):
        h = self.conv1(F.elu(x, inplace=self.inplace))
        if aux is not None:
            h = h + self.aux_conv(F.elu(aux, inplace=self.inplace))
        h = self.conv2(self.dropout(F.elu(h)))
        if condition is not None:
            h = h + self.condition(condition)
        a, b = h.chunk(2, 1)
        return a * torch.sigmoid(b) + x


def wn_linear(cin, cout):
    return nn.utils.weight_norm(nn.Linear(cin, cout))


class CausalAttention(nn.Module):
    def __init__(self, query_channel, key_channel, channel, n_head=8, dropout=0.1):
        super().__init__()
        self.query = wn_linear(query_channel, channel)
        self.key = wn_linear(key_channel, channel)
        self.value = wn_linear(key_channel, channel)
        self.n_head = n_head
        self.dim_head = channel // n_head
        self.dropout = nn.Dropout(dropout)

    def forward(self, query, key):
        n, _, h, w = key.shape
        p = h * w

        def heads(t):  # [N, P, C] -> [N, heads, P, d]
            return t.reshape(n, p, self.n_head, self.dim_head).permute(0, 2, 1, 3)

        q = heads(self.query(query.flatten(2).transpose(1, 2)))
        kf = key.flatten(2).transpose(1, 2)
        k = heads(self.key(kf))
        v = heads(self.value(kf))
        scores = q @ k.transpose(2, 3) / (self.dim_head ** 0.5)
        earlier = torch.ones(p, p).tril(-1).bool()  # query i sees keys j < i
        weights = torch.softmax(scores.masked_fill(~earlier, -1e4), 3)
        weights = weights * (torch.arange(p) > 0).float().unsqueeze(1)  # position 0 reads nothing
        out = self.dropout(weights) @ v  # [N, heads, P, d]
        return out.permute(0, 1, 3, 2).reshape(n, self.n_head * self.dim_head, h, w)


class PixelBlock(nn.Module):
    def __init__(self, cin, channel, kernel, n_res_block, attention, dropout, condition_dim, inplace):
        super().__init__()
        self.resblocks = nn.ModuleList([
            GatedResBlock(cin, channel, kernel, conv='causal', dropout=dropout, condition_dim=condition_dim,
                          inplace=inplace)
            for _ in range(n_res_block)])
        self.attention = attention
        if attention:
            self.key_resblock = GatedResBlock(2 * cin + 2, cin, 1, dropout=dropout, inplace=inplace)
            self.query_resblock = GatedResBlock(cin + 2, cin, 1, dropout=dropout, inplace=inplace)
            self.causal_attention = CausalAttention(cin + 2, 2 * cin + 2, cin // 2, dropout=dropout)
            self.out_resblock = GatedResBlock(cin, cin, 1, auxiliary_channel=cin // 2, dropout=dropout,
                                              inplace=inplace)
        else:
            self.out = WNConv2d(cin + 2, cin, 1)

    def forward(self, x, background, condition=None):
        h = x
        for block in self.resblocks:
            h = block(h, condition=condition)
        if not self.attention:
            return self.out(torch.cat([h, background], 1))
        key = self.key_resblock(torch.cat([x, h, background], 1))
        query = self.query_resblock(torch.cat([h, background], 1))
        return self.out_resblock(h, self.causal_attention(query, key))


class CondResNet(nn.Module):
    def __init__(self, cin, channel, kernel, n_res_block, inplace):
        super().__init__()
        self.blocks = nn.Sequential(WNConv2d(cin, channel, kernel, padding=kernel // 2),
                                    *[GatedResBlock(channel, channel, kernel, inplace=inplace)
                                      for _ in range(n_res_block)])

    def forward(self, x):
        return self.blocks(x)


class PixelSNAIL(nn.Module):
    def __init__(self, shape, n_class, channel, kernel_size, n_block, n_res_block, res_channel,
                 attention=True, dropout=0.1, n_cond_res_block=0, cond_res_channel=0, cond_res_kernel=3,
                 n_out_res_block=0, legacy_inplace_elu=False):
        super().__init__()
        height, width = shape
        self.n_class = n_class
        kernel = kernel_size if kernel_size % 2 else kernel_size + 1
        self.horizontal = CausalConv2d(n_class, channel, [kernel // 2, kernel], padding='down')
        self.vertical = CausalConv2d(n_class, channel, [(kernel + 1) // 2, kernel // 2], padding='downright')
        rows = ((torch.arange(height).float() - height / 2) / height).view(1, 1, height, 1).expand(1, 1, height, width)
        cols = ((torch.arange(width).float() - width / 2) / width).view(1, 1, 1, width).expand(1, 1, height, width)
        self.register_buffer('background', torch.cat([rows, cols], 1))
        self.blocks = nn.ModuleList([
            PixelBlock(channel, res_channel, kernel_size, n_res_block, attention, dropout, cond_res_channel,
                       legacy_inplace_elu)
            for _ in range(n_block)])
        if n_cond_res_block > 0:
            self.cond_resnet = CondResNet(n_class, cond_res_channel, cond_res_kernel, n_cond_res_block,
                                          legacy_inplace_elu)
        self.out = nn.Sequential(*[GatedResBlock(channel, res_channel, 1, inplace=legacy_inplace_elu)
                                   for _ in range(n_out_res_block)],
                                 nn.ELU(), WNConv2d(channel, n_class, 1))

    def forward(self, codes, condition=None):
        n, h, w = codes.shape
        x = F.one_hot(codes, self.n_class).permute(0, 3, 1, 2).float()
        above = F.pad(self.horizontal(x), (0, 0, 1, 0))[:, :, :h, :]   # shifted down a row
        left = F.pad(self.vertical(x), (1, 0, 0, 0))[:, :, :, :w]      # shifted right a column
        out = above + left
        background = self.background[:, :, :h, :].expand(n, 2, h, w)
        if condition is not None:
            c = self.cond_resnet(F.one_hot(condition, self.n_class).permute(0, 3, 1, 2).float())
            condition = F.interpolate(c, scale_factor=2)[:, :, :h, :]
        for block in self.blocks:
            out = block(out, background, condition=condition)
        return self.out(out)


def randomise(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('weight_g'):
                p.copy_(0.5 + torch.rand(p.shape, generator=g))
            elif name.endswith('weight_v'):
                p.copy_(torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))


def write(model, args, out, codes, condition=None):
    os.makedirs(out, exist_ok=True)
    # keys and values as a saved checkpoint holds them, before any forward cut the causal weights
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    np.savez(os.path.join(out, 'state_dict.npz'), **state)
    # and as train_pixelsnail.py saves it: torch.save({'model': state_dict, 'args': Namespace}, path)
    torch.save({'model': model.state_dict(), 'args': argparse.Namespace(**args)}, os.path.join(out, 'prior.pt'))
    with open(os.path.join(out, 'args.json'), 'w') as f:
        json.dump(args, f, indent=1)
    np.save(os.path.join(out, 'codes.npy'), codes.numpy())
    if condition is not None:
        np.save(os.path.join(out, 'condition.npy'), condition.numpy())
    model.eval()
    with torch.no_grad():
        np.save(os.path.join(out, 'logits.npy'), model(codes, condition).numpy().astype(np.float32))
        rows = codes.shape[1] // 2
        np.save(os.path.join(out, 'rows.npy'), model(codes[:, :rows], condition).numpy().astype(np.float32))


def main(out):
    torch.manual_seed(0)
    k = 16
    top_args = dict(shape=[8, 8], n_class=k, channel=32, kernel_size=5, n_block=2, n_res_block=2, res_channel=16,
                    attention=True, dropout=0.1, n_out_res_block=1)
    top = PixelSNAIL(**top_args)
    randomise(top, 1)
    top_codes = torch.randint(0, k, (2, 8, 8), generator=torch.Generator().manual_seed(2))
    write(top, top_args, os.path.join(out, 'top'), top_codes)

    bottom_args = dict(shape=[16, 16], n_class=k, channel=24, kernel_size=3, n_block=2, n_res_block=2,
                       res_channel=16, attention=False, dropout=0.1, n_cond_res_block=2, cond_res_channel=12,
                       cond_res_kernel=3)
    bottom = PixelSNAIL(**bottom_args)
    randomise(bottom, 3)
    bottom_codes = torch.randint(0, k, (2, 16, 16), generator=torch.Generator().manual_seed(4))
    write(bottom, bottom_args, os.path.join(out, 'bottom'), bottom_codes, top_codes)

    # the early file's in-place ELU, on a conditioned prior with attention and an output block
    legacy_args = dict(shape=[8, 8], n_class=k, channel=32, kernel_size=3, n_block=2, n_res_block=1, res_channel=16,
                       attention=True, dropout=0.1, n_cond_res_block=1, cond_res_channel=8, cond_res_kernel=3,
                       n_out_res_block=1, legacy_inplace_elu=True)
    legacy = PixelSNAIL(**legacy_args)
    randomise(legacy, 5)
    legacy_codes = torch.randint(0, k, (2, 8, 8), generator=torch.Generator().manual_seed(6))
    legacy_condition = torch.randint(0, k, (2, 4, 4), generator=torch.Generator().manual_seed(7))
    write(legacy, legacy_args, os.path.join(out, 'legacy'), legacy_codes, legacy_condition)


if __name__ == '__main__':
    main(sys.argv[1])
