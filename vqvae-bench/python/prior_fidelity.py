#!/usr/bin/env python3
"""PyTorch replicas of vqvae-djl's priors, for the fidelity check (org.vqvae.bench.PriorFidelityCheck).

The modules below do what GatedLayer, GatedPixelCnn, CausalAttention and PixelSnail (vqvae-prior)
do, operation for operation and in the same order where the order changes rounding, so that both
sides started from the same weights on the same code maps must agree to float32 rounding:

    prior_fidelity.py DIR [--steps N] [--lr LR]

DIR holds what the Java side wrote: config.json (the prior's configJson(), tagged with "arch"),
weights.npz (NamedArrays.save: parameters under DJL's names), codes.npy [N, H, W] int64,
labels.npy [N] int64 and, for a prior conditioned on the level above, condition.npy [N, Hc, Wc].
It writes to DIR:

    torch.json         loss at step 1 (mean NLL per code), the losses before each of N steps of
                       torch.optim.Adam (whose update CheckpointableAdam makes) and after the last
                       one, and the gradient norm of every parameter by our name
    torch_logits.npy   the step-1 logits [N, K, H, W]
    torch_grads.npz    the step-1 gradients by our names
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def gate(x, c):
    # first half through tanh, second half through a sigmoid: GatedLayer.gate
    return torch.tanh(x[:, :c]) * torch.sigmoid(x[:, c:])


class GatedLayer(nn.Module):
    """GatedLayer: vertical (n/2+1 x n) and horizontal (1 x n/2+1) stacks, cropped after padding so
    that a position sees only what precedes it; type A also masks the current row (vertical) and
    column (horizontal) and has no residual connection."""

    def __init__(self, c, kernel, classes, type_a, cond_channels=0):
        super().__init__()
        half = kernel // 2
        self.c, self.half, self.type_a = c, half, type_a
        self.v = nn.Conv2d(c, 2 * c, (half + 1, kernel), padding=(half, half))
        self.h = nn.Conv2d(c, 2 * c, (1, half + 1), padding=(0, half))
        self.link = nn.Conv2d(2 * c, 2 * c, 1)
        self.out = nn.Conv2d(c, c, 1)
        self.cls = nn.Embedding(classes, 2 * c)
        self.cond = nn.Conv2d(cond_channels, 2 * c, 1, bias=False) if cond_channels else None

    def named(self):
        d = {"vWeight": self.v.weight, "vBias": self.v.bias, "hWeight": self.h.weight, "hBias": self.h.bias,
             "linkWeight": self.link.weight, "linkBias": self.link.bias, "outWeight": self.out.weight,
             "outBias": self.out.bias, "classBias": self.cls.weight}
        if self.cond is not None:
            d["conditionWeight"] = self.cond.weight
        return d

    def forward(self, v, h, labels, feats=None):
        rows, cols = v.shape[2], v.shape[3]
        vw, hw = self.v.weight, self.h.weight
        if self.type_a:
            vm = torch.ones_like(vw)
            vm[:, :, -1, :] = 0
            hm = torch.ones_like(hw)
            hm[:, :, :, -1] = 0
            vw, hw = vm * vw, hm * hw
        cond = self.cls(labels).reshape(-1, 2 * self.c, 1, 1)
        if self.cond is not None:
            cond = self.cond(feats) + cond
        vpre = F.conv2d(v, vw, self.v.bias, padding=(self.half, self.half))[:, :, :rows]
        vout = gate(vpre + cond, self.c)
        hpre = F.conv2d(h, hw, self.h.bias, padding=(0, self.half))[:, :, :, :cols]
        gated = gate(hpre + self.link(vpre) + cond, self.c)
        hout = self.out(gated)
        return vout, (hout if self.type_a else hout + h)


class Head(nn.Module):
    """relu, 1x1 to 2C, relu, 1x1 to K logits."""

    def __init__(self, c, k):
        super().__init__()
        self.a, self.b = nn.Conv2d(c, 2 * c, 1), nn.Conv2d(2 * c, k, 1)

    def named(self):
        return {"headWeight": self.a.weight, "headBias": self.a.bias, "outWeight": self.b.weight,
                "outBias": self.b.bias}

    def forward(self, h):
        return self.b(F.relu(self.a(F.relu(h))))


def child(number, name):
    # DJL's AbstractBlock.addChildBlock prefixes a child's name with its 1-based index, two digits
    return "%02d%s" % (number, name)


class GatedPixelCnn(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = cfg["channels"]
        self.emb = nn.Embedding(cfg["numCodes"], c)
        self.layers = nn.ModuleList([GatedLayer(c, cfg["kernel"], cfg["numClasses"], i == 0)
                                     for i in range(cfg["layers"])])
        self.head = Head(c, cfg["numCodes"])

    def named(self):
        d = {"embedding": self.emb.weight, **self.head.named()}
        for i, layer in enumerate(self.layers):
            d.update({child(i + 1, "gated%d" % i) + "_" + k: p for k, p in layer.named().items()})
        return d

    def forward(self, codes, labels, condition=None):
        x = self.emb(codes).permute(0, 3, 1, 2)
        v, h = x, x
        for layer in self.layers:
            v, h = layer(v, h, labels)
        return self.head(h)


class CausalAttention(nn.Module):
    """Queries from (features, position), keys and values from (features, embedded codes,
    position); position i attends to j < i only; position 0 reads zero."""

    def __init__(self, c, heads, dk, dv, chunk):
        super().__init__()
        self.heads, self.dk, self.dv, self.chunk = heads, dk, dv, chunk
        self.query = nn.Conv2d(c + 2, heads * dk, 1)
        self.key = nn.Conv2d(2 * c + 2, heads * dk, 1)
        self.value = nn.Conv2d(2 * c + 2, heads * dv, 1)
        self.out = nn.Conv2d(heads * dv, c, 1)

    def named(self):
        return {"queryWeight": self.query.weight, "queryBias": self.query.bias, "keyWeight": self.key.weight,
                "keyBias": self.key.bias, "valueWeight": self.value.weight, "valueBias": self.value.bias,
                "outWeight": self.out.weight, "outBias": self.out.bias}

    def forward(self, feats, emb):
        n, _, h, w = feats.shape
        p = h * w
        rows = torch.arange(h, dtype=torch.float32).view(h, 1).expand(h, w) / (h - 1) if h > 1 \
            else torch.zeros(h, w)
        cols = torch.arange(w, dtype=torch.float32).view(1, w).expand(h, w) / (w - 1) if w > 1 \
            else torch.zeros(h, w)
        pos = torch.stack([rows, cols]).unsqueeze(0).expand(n, 2, h, w)

        def heads(y, d):
            return y.reshape(n, self.heads, d, p).transpose(2, 3)

        q = heads(self.query(torch.cat([feats, pos], 1)), self.dk)
        kv = torch.cat([feats, emb, pos], 1)
        k, v = heads(self.key(kv), self.dk), heads(self.value(kv), self.dv)
        scale = float(np.float32(1 / math.sqrt(self.dk)))  # Java: (float) (1 / Math.sqrt(dk)), multiplied
        parts = []
        for first in range(0, p, self.chunk):
            to = min(p, first + self.chunk)
            qi = torch.arange(first, to).view(-1, 1)
            # added, not filled: -1e9 plus a score, as CausalAttention.attend does it
            mask = torch.zeros(to - first, to).masked_fill(torch.arange(to).view(1, -1) >= qi, -1e9)
            s = (q[:, :, first:to] @ k[:, :, :to].transpose(2, 3)) * scale + mask
            r = s.softmax(-1) @ v[:, :, :to]
            if first == 0:
                r = r * (qi != 0).to(torch.float32)
            parts.append(r)
        read = torch.cat(parts, 2).transpose(2, 3).reshape(n, self.heads * self.dv, h, w)
        return self.out(read)


class PixelSnail(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = cfg["channels"]
        self.cfg = cfg
        cc = cfg["conditionChannels"] if cfg["conditionCodes"] > 0 else 0
        kernel, classes = cfg["kernel"], cfg["numClasses"]
        self.emb = nn.Embedding(cfg["numCodes"], c)
        self.first = GatedLayer(c, kernel, classes, True, cc)
        self.blocks = nn.ModuleList([nn.ModuleList([GatedLayer(c, kernel, classes, False, cc)
                                                    for _ in range(cfg["layersPerBlock"])])
                                     for _ in range(cfg["blocks"])])
        self.attn = nn.ModuleList([CausalAttention(c, cfg["heads"], cfg["keyChannels"], cfg["valueChannels"],
                                                   cfg["attentionChunk"])
                                   for _ in range(cfg["blocks"])]) if cfg["heads"] > 0 else None
        self.head = Head(c, cfg["numCodes"])
        if cc:
            self.cond_emb = nn.Embedding(cfg["conditionCodes"], cc)
            self.cond_convs = nn.ModuleList([nn.Conv2d(cc, cc, 3, padding=1) for _ in range(cfg["conditionLayers"])])

    def named(self):
        d = {"embedding": self.emb.weight, **self.head.named()}
        if self.cfg["conditionCodes"] > 0:
            d["conditionEmbedding"] = self.cond_emb.weight
            for i, conv in enumerate(self.cond_convs):
                d["condition%dWeight" % i] = conv.weight
                d["condition%dBias" % i] = conv.bias
        number = 1
        d.update({child(number, "gatedA") + "_" + k: p for k, p in self.first.named().items()})
        for b, layers in enumerate(self.blocks):
            for i, layer in enumerate(layers):
                number += 1
                d.update({child(number, "block%dgated%d" % (b, i)) + "_" + k: p for k, p in layer.named().items()})
            if self.attn is not None:
                number += 1
                d.update({child(number, "block%dattention" % b) + "_" + k: p for k, p in self.attn[b].named().items()})
        return d

    def condition_features(self, condition):
        # embed the level above, upsample (nearest) to this map, refine by residual 3x3 convolutions
        fh = self.cfg["height"] // self.cfg["conditionHeight"]
        fw = self.cfg["width"] // self.cfg["conditionWidth"]
        e = self.cond_emb(condition).permute(0, 3, 1, 2)
        e = e.repeat_interleave(fh, 2).repeat_interleave(fw, 3)
        for conv in self.cond_convs:
            e = e + conv(F.relu(e))
        return e

    def forward(self, codes, labels, condition=None):
        x = self.emb(codes).permute(0, 3, 1, 2)
        feats = self.condition_features(condition) if condition is not None else None
        v, h = self.first(x, x, labels, feats)
        for b, layers in enumerate(self.blocks):
            for layer in layers:
                v, h = layer(v, h, labels, feats)
            if self.attn is not None:
                h = h + self.attn[b](h, x)
        return self.head(h)


def load(model, npz):
    """Copies our arrays into the replica by name; every name must match, with its shape."""
    named = model.named()
    with np.load(npz) as arrays:
        ours, theirs = set(arrays.files), set(named)
        if ours != theirs:
            raise SystemExit("weights.npz names differ from the replica's: only ours %s, only the replica's %s"
                             % (sorted(ours - theirs), sorted(theirs - ours)))
        with torch.no_grad():
            for name, p in named.items():
                a = arrays[name]
                if tuple(a.shape) != tuple(p.shape):
                    raise SystemExit("%s: ours %s, replica %s" % (name, a.shape, tuple(p.shape)))
                p.copy_(torch.from_numpy(a.astype(np.float32)))
    return named


def nll(model, inputs):
    logits = model(*inputs)
    # mean over every position of every map, as GatedPixelCnn.nll
    return logits, F.cross_entropy(logits, inputs[0])


def train(model, named, inputs, steps, lr):
    params = list(named.values())
    # CheckpointableAdam's update is torch.optim.Adam's (epsilon after the bias correction)
    opt = torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    losses = []
    for _ in range(steps):
        for p in params:
            p.grad = None
        _, loss = nll(model, inputs)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        losses.append(nll(model, inputs)[1].item())
    return losses


def build(cfg):
    return GatedPixelCnn(cfg) if cfg["arch"] == "pixelcnn" else PixelSnail(cfg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    d = args.dir
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    inputs = [torch.from_numpy(np.load(os.path.join(d, "codes.npy")).astype(np.int64)),
              torch.from_numpy(np.load(os.path.join(d, "labels.npy")).astype(np.int64))]
    if os.path.exists(os.path.join(d, "condition.npy")):
        inputs.append(torch.from_numpy(np.load(os.path.join(d, "condition.npy")).astype(np.int64)))

    model = build(cfg)
    named = load(model, os.path.join(d, "weights.npz"))
    logits, loss = nll(model, inputs)
    loss.backward()
    np.save(os.path.join(d, "torch_logits.npy"), logits.detach().numpy())
    np.savez(os.path.join(d, "torch_grads.npz"), **{k: p.grad.numpy() for k, p in named.items()})
    norms = {k: float(np.linalg.norm(p.grad.numpy().astype(np.float64))) for k, p in named.items()}
    first = loss.item()

    losses = train(model, named, inputs, args.steps, args.lr)
    out = {"torch": torch.__version__, "loss": first, "grad_norms": norms, "losses": losses}
    with open(os.path.join(d, "torch.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
