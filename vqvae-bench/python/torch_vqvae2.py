#!/usr/bin/env python3
"""PyTorch-eager counterpart of vqvae-djl's VqVae2 (2 levels, the same layers, EMA codebooks as
vqvae-djl keeps them), timed on random images: one training step (forward, backward, Adam).

usage: torch_vqvae2.py [--size 256] [--batch 16] [--steps 8] [--threads 2]
Prints one JSON line with ms_per_step (median after 2 warm-up steps).
Needs Debian's python3-torch (and libopenblas0-pthread for a fair CPU figure).
"""
import argparse, json, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class Residual(nn.Module):
    def __init__(self, h, rh):
        super().__init__()
        self.c1 = nn.Conv2d(h, rh, 3, padding=1)
        self.c2 = nn.Conv2d(rh, h, 1)

    def forward(self, x):
        return x + self.c2(F.relu(self.c1(F.relu(x))))


def encoder(cin, h, rh, nres, down):
    layers, strided = [], {2: 1, 4: 2, 8: 3}[down]
    for i in range(strided):
        out = h if i == strided - 1 else h // 2
        layers += [nn.Conv2d(cin, out, 4, 2, 1), nn.ReLU()]
        cin = out
    layers += [nn.Conv2d(h, h, 3, 1, 1)] + [Residual(h, rh) for _ in range(nres)] + [nn.ReLU()]
    return nn.Sequential(*layers)


def decoder(cin, cout, h, rh, nres, up):
    layers, strided = [nn.Conv2d(cin, h, 3, 1, 1)] + [Residual(h, rh) for _ in range(nres)] + [nn.ReLU()], {2: 1, 4: 2}[up]
    c = h
    for i in range(strided):
        last = i == strided - 1
        layers.append(nn.ConvTranspose2d(c, cout if last else h // 2, 4, 2, 1))
        if not last:
            layers.append(nn.ReLU())
        c = h // 2
    return nn.Sequential(*layers)


class EmaQuantizer(nn.Module):
    def __init__(self, k, d, beta=0.25, decay=0.99, eps=1e-5):
        super().__init__()
        w = torch.empty(k, d).uniform_(-1 / k, 1 / k)
        self.register_buffer("embed", w)
        self.register_buffer("cluster", torch.ones(k))
        self.register_buffer("embed_sum", w.clone())
        self.k, self.beta, self.decay, self.eps = k, beta, decay, eps

    def forward(self, z):
        flat = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])
        scores = flat.detach() @ (-2 * self.embed).t() + (self.embed ** 2).sum(1)
        idx = scores.argmin(1)
        q = F.embedding(idx, self.embed)
        if self.training:
            with torch.no_grad():
                onehot = F.one_hot(idx, self.k).type(flat.dtype)
                self.cluster.mul_(self.decay).add_(onehot.sum(0), alpha=1 - self.decay)
                self.embed_sum.mul_(self.decay).add_(onehot.t() @ flat.detach(), alpha=1 - self.decay)
                n = self.cluster.sum()
                smoothed = (self.cluster + self.eps) / (n + self.k * self.eps) * n
                self.embed.copy_(self.embed_sum / smoothed.unsqueeze(1))
        loss = self.beta * F.mse_loss(flat, q.detach())
        st = flat + (q - flat).detach()
        return st.view(z.shape[0], z.shape[2], z.shape[3], -1).permute(0, 3, 1, 2), loss


class VQVAE2(nn.Module):
    def __init__(self, c=3, h=128, rh=32, nres=2, k=512, d=64):
        super().__init__()
        self.enc_b = encoder(c, h, rh, nres, 4)
        self.enc_t = encoder(h, h, rh, nres, 2)
        self.qconv_t = nn.Conv2d(h, d, 1)
        self.q_t = EmaQuantizer(k, d)
        self.cond = decoder(d, d, h, rh, nres, 2)
        self.qconv_b = nn.Conv2d(d + h, d, 1)
        self.q_b = EmaQuantizer(k, d)
        self.up_t = nn.ConvTranspose2d(d, d, 4, 2, 1)
        self.dec = decoder(2 * d, c, h, rh, nres, 4)

    def forward(self, x):
        eb = self.enc_b(x)
        et = self.enc_t(eb)
        qt, lt = self.q_t(self.qconv_t(et))
        qb, lb = self.q_b(self.qconv_b(torch.cat([self.cond(qt), eb], 1)))
        return self.dec(torch.cat([qb, self.up_t(qt)], 1)), lt + lb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    model = VQVAE2()
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    x = torch.rand(a.batch, 3, a.size, a.size) - 0.5
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        recon, vq = model(x)
        loss = F.mse_loss(recon, x) + vq
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"peer": "pytorch-eager " + torch.__version__, "size": a.size, "batch": a.batch,
                      "threads": a.threads, "ms_per_step": round(1000 * statistics.median(times[2:]), 1)}))


if __name__ == "__main__":
    main()
