"""A VQ-VAE-2 with the module and parameter names of rosinality/vq-vae-2-pytorch (vqvae.py), written
for this project's import tests (not copied): its state_dict has the same keys, shapes and layouts,
and its encode/decode compute what that code computes at inference.

  make OUT [sizes]          write OUT/vqvae.pt (torch.save(model.state_dict())), OUT/images.npy
                            (uint8 [N, H, W, 3]) and PyTorch's results on them: codes_b.npy,
                            codes_t.npy (int64; both in codes.npz as bottom, top), decoded.npy (decode_code of those codes, [-1, 1]),
                            and a few hostile or foreign files beside them
  check-safetensors FILE PT load FILE (an exported .safetensors, parsed by hand) into a fresh module
                            with load_state_dict(strict=True) and compare every tensor with the .pt
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class Quantize(nn.Module):
    """Nearest-code lookup; codebook embed [dim, n_embed] with EMA buffers, as the source keeps it."""

    def __init__(self, dim, n_embed):
        super().__init__()
        self.dim = dim
        self.n_embed = n_embed
        self.register_buffer("embed", torch.randn(dim, n_embed))
        self.register_buffer("cluster_size", torch.ones(n_embed))
        self.register_buffer("embed_avg", self.embed.clone())

    def forward(self, x):  # x: [N, H, W, D]
        flat = x.reshape(-1, self.dim)
        dist = flat.pow(2).sum(1, keepdim=True) - 2 * flat @ self.embed + self.embed.pow(2).sum(0, keepdim=True)
        ind = dist.argmin(1).view(*x.shape[:-1])
        return self.embed_code(ind), ind

    def embed_code(self, ind):
        return F.embedding(ind, self.embed.t())


class ResBlock(nn.Module):
    def __init__(self, channels, inner):
        super().__init__()
        self.conv = nn.Sequential(nn.ReLU(), nn.Conv2d(channels, inner, 3, padding=1), nn.ReLU(),
                                  nn.Conv2d(inner, channels, 1))

    def forward(self, x):
        return x + self.conv(x)


class Encoder(nn.Module):
    def __init__(self, cin, channel, n_res, res_channel, stride):
        super().__init__()
        if stride == 4:
            layers = [nn.Conv2d(cin, channel // 2, 4, 2, 1), nn.ReLU(), nn.Conv2d(channel // 2, channel, 4, 2, 1),
                      nn.ReLU(), nn.Conv2d(channel, channel, 3, padding=1)]
        else:
            layers = [nn.Conv2d(cin, channel // 2, 4, 2, 1), nn.ReLU(), nn.Conv2d(channel // 2, channel, 3, padding=1)]
        layers += [ResBlock(channel, res_channel) for _ in range(n_res)] + [nn.ReLU()]
        self.blocks = nn.Sequential(*layers)

    def forward(self, x):
        return self.blocks(x)


class Decoder(nn.Module):
    def __init__(self, cin, cout, channel, n_res, res_channel, stride):
        super().__init__()
        layers = [nn.Conv2d(cin, channel, 3, padding=1)]
        layers += [ResBlock(channel, res_channel) for _ in range(n_res)] + [nn.ReLU()]
        if stride == 4:
            layers += [nn.ConvTranspose2d(channel, channel // 2, 4, 2, 1), nn.ReLU(),
                       nn.ConvTranspose2d(channel // 2, cout, 4, 2, 1)]
        else:
            layers += [nn.ConvTranspose2d(channel, cout, 4, 2, 1)]
        self.blocks = nn.Sequential(*layers)

    def forward(self, x):
        return self.blocks(x)


class VQVAE(nn.Module):
    def __init__(self, in_channel=3, channel=128, n_res_block=2, n_res_channel=32, embed_dim=64, n_embed=512):
        super().__init__()
        self.enc_b = Encoder(in_channel, channel, n_res_block, n_res_channel, 4)
        self.enc_t = Encoder(channel, channel, n_res_block, n_res_channel, 2)
        self.quantize_conv_t = nn.Conv2d(channel, embed_dim, 1)
        self.quantize_t = Quantize(embed_dim, n_embed)
        self.dec_t = Decoder(embed_dim, embed_dim, channel, n_res_block, n_res_channel, 2)
        self.quantize_conv_b = nn.Conv2d(embed_dim + channel, embed_dim, 1)
        self.quantize_b = Quantize(embed_dim, n_embed)
        self.upsample_t = nn.ConvTranspose2d(embed_dim, embed_dim, 4, 2, 1)
        self.dec = Decoder(2 * embed_dim, in_channel, channel, n_res_block, n_res_channel, 4)

    def pre_t(self, x):
        enc_b = self.enc_b(x)
        return enc_b, self.quantize_conv_t(self.enc_t(enc_b))

    def encode(self, x):
        enc_b, z_t = self.pre_t(x)
        q_t, id_t = self.quantize_t(z_t.permute(0, 2, 3, 1))
        q_t = q_t.permute(0, 3, 1, 2)
        z_b = self.quantize_conv_b(torch.cat([self.dec_t(q_t), enc_b], 1))
        q_b, id_b = self.quantize_b(z_b.permute(0, 2, 3, 1))
        return q_t, q_b.permute(0, 3, 1, 2), id_t, id_b, z_b

    def decode(self, q_t, q_b):
        return self.dec(torch.cat([self.upsample_t(q_t), q_b], 1))

    def decode_code(self, code_t, code_b):
        q_t = self.quantize_t.embed_code(code_t).permute(0, 3, 1, 2)
        q_b = self.quantize_b.embed_code(code_b).permute(0, 3, 1, 2)
        return self.decode(q_t, q_b)


def spread_codebook(q, z):
    """Codes drawn from encoder outputs (plus noise), so that many codes are in use."""
    flat = z.permute(0, 2, 3, 1).reshape(-1, q.dim)
    pick = flat[torch.randint(0, flat.shape[0], (q.n_embed,))]
    q.embed.copy_((pick + 0.05 * flat.std() * torch.randn_like(pick)).t())
    q.cluster_size.copy_(torch.rand(q.n_embed) * 10)
    q.embed_avg.copy_(q.embed * q.cluster_size)


def to_model_range(images):
    """uint8 [N, H, W, C] to [-1, 1] [N, C, H, W], as ToTensor then Normalize(0.5, 0.5)."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255
    return (x - 0.5) / 0.5


def make(a):
    torch.manual_seed(a.seed)
    model = VQVAE(3, a.channel, a.res_blocks, a.res_channels, a.embed_dim, a.n_embed).eval()
    rng = np.random.default_rng(a.seed)
    # smooth colour fields with noise: structure the encoders respond to
    yy, xx = np.mgrid[0:a.size, 0:a.size] / a.size
    images = []
    for _ in range(a.n):
        f = rng.uniform(1, 4, 3)
        ph = rng.uniform(0, 6.28, 3)
        img = np.stack([np.sin(f[c] * 6.28 * (xx + yy * rng.uniform(-1, 1)) + ph[c]) for c in range(3)], -1)
        img = (img * 100 + 128 + rng.normal(0, 20, img.shape)).clip(0, 255)
        images.append(img.astype(np.uint8))
    images = np.stack(images)
    x = to_model_range(images)
    with torch.no_grad():
        _, z_t = model.pre_t(x)
        spread_codebook(model.quantize_t, z_t)
        *_, z_b = model.encode(x)
        spread_codebook(model.quantize_b, z_b)
        _, _, id_t, id_b, _ = model.encode(x)
        decoded = model.decode_code(id_t, id_b)
    os.makedirs(a.out, exist_ok=True)
    sd = model.state_dict()
    torch.save(sd, os.path.join(a.out, "vqvae.pt"))
    np.save(os.path.join(a.out, "images.npy"), images)
    np.save(os.path.join(a.out, "codes_t.npy"), id_t.numpy().astype(np.int64))
    np.save(os.path.join(a.out, "codes_b.npy"), id_b.numpy().astype(np.int64))
    np.save(os.path.join(a.out, "decoded.npy"), decoded.numpy().astype(np.float32))
    np.savez(os.path.join(a.out, "codes.npz"), bottom=id_b.numpy().astype(np.int64), top=id_t.numpy().astype(np.int64))
    # the same weights in float16, and a checkpoint of another architecture's layout
    torch.save({k: v.half() for k, v in sd.items()}, os.path.join(a.out, "vqvae_half.pt"))
    missing = dict(sd)
    del missing["dec.blocks.0.bias"]
    torch.save(missing, os.path.join(a.out, "missing_key.pt"))
    extra = dict(sd)
    extra["dec.blocks.9.weight"] = torch.zeros(2)
    torch.save(extra, os.path.join(a.out, "extra_key.pt"))
    wrong = dict(sd)
    wrong["upsample_t.weight"] = torch.zeros(a.embed_dim, a.embed_dim, 3, 3)
    torch.save(wrong, os.path.join(a.out, "wrong_shape.pt"))
    torch.save(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Conv2d(4, 2, 1)).state_dict(),
               os.path.join(a.out, "other_arch.pt"))

    class Hostile:
        def __reduce__(self):
            return (os.system, ("touch " + os.path.join(a.out, "PWNED"),))

    torch.save({"enc_b.blocks.0.weight": Hostile()}, os.path.join(a.out, "hostile.pt"))
    torch.save(model, os.path.join(a.out, "whole_module.pt"))  # a pickled module, not a state_dict
    print(json.dumps({"codes_t": id_t.flatten().tolist()[:8], "codes_used_b": int(id_b.unique().numel())}))


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        lo, hi = h["data_offsets"]
        arr = np.frombuffer(data[lo:hi], dtype=dtypes[h["dtype"]]).reshape(h["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, header.get("__metadata__", {})


def check_safetensors(a):
    tensors, meta = read_safetensors(a.file)
    ref = torch.load(a.pt)
    cin = ref["enc_b.blocks.0.weight"].shape[1]
    channel = ref["enc_b.blocks.2.weight"].shape[0]
    n_res = sum(1 for k in ref if k.startswith("enc_b.") and k.endswith("conv.1.weight"))
    res_c = ref["enc_b.blocks.5.conv.1.weight"].shape[0] if n_res else 1
    d, k = ref["quantize_t.embed"].shape
    model = VQVAE(cin, channel, n_res, res_c, d, k)
    model.load_state_dict(tensors, strict=True)  # raises on any missing, unexpected or misshapen tensor
    worst = max((model.state_dict()[name] - ref[name].float()).abs().max().item() for name in ref)
    order = list(tensors) == list(ref)
    print(json.dumps({"max_abs_diff": worst, "tensors": len(tensors), "same_order": order, "metadata": meta}))
    sys.exit(0 if worst == 0 and order else 1)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("out")
    m.add_argument("--channel", type=int, default=16)
    m.add_argument("--res-blocks", type=int, default=1)
    m.add_argument("--res-channels", type=int, default=8)
    m.add_argument("--embed-dim", type=int, default=8)
    m.add_argument("--n-embed", type=int, default=32)
    m.add_argument("--size", type=int, default=16)
    m.add_argument("--n", type=int, default=4)
    m.add_argument("--seed", type=int, default=0)
    c = sub.add_parser("check-safetensors")
    c.add_argument("file")
    c.add_argument("pt")
    a = p.parse_args()
    torch.set_num_threads(1)
    make(a) if a.cmd == "make" else check_safetensors(a)


if __name__ == "__main__":
    main()
