#!/usr/bin/env python3
"""The paper's VQ-VAE (van den Oord et al. 2017, section 4.1) written directly in PyTorch eager:
the reference that vqvae-djl's training is held to (fidelity.py compares the two step by step;
TrainStepReport and FidelityReport time and score it beside ours).

usage: torch_vqvae.py --data DIR --steps N [--batch 128] [--threads 2] [--seed 0] [--order FILE]
DIR holds train- and t10k-images-idx3-ubyte(.gz) (MNIST or Fashion-MNIST layout). --order is a
.npy of [steps, batch] image indices (vqvae-djl's BatchPlan, so both sides see the same batches);
without it, batches are epochs shuffled by NumPy from the seed.
Prints one JSON line: ms_per_step (median after 5 warm-up steps), and on the whole test set
test_mse and codebook perplexity.
Needs Debian's python3-torch (and libopenblas0-pthread for a fair CPU figure).

Every module also knows its parameters' names in vqvae-djl (djl_arrays), so weights move
between the two as a .npz of named arrays (org.vqvae.core.io.NamedArrays).
"""
import argparse, gzip, json, os, statistics, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        data = f.read()
    n, h, w = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, 1, h, w)


def find(d, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    raise SystemExit(f"missing {stem} in {d}")


def to_pixels(arr):
    """uint8 images to float32 in [-0.5, 0.5], vqvae-djl's pixel scale."""
    return torch.from_numpy(arr.astype(np.float32) / 255.0 - 0.5)


class Residual(nn.Module):
    """x + conv1x1(relu(conv3x3(relu(x)))); in vqvae-djl a ParallelBlock of a SequentialBlock."""

    def __init__(self, h, rh):
        super().__init__()
        self.c1 = nn.Conv2d(h, rh, 3, padding=1)
        self.c2 = nn.Conv2d(rh, h, 1)

    def forward(self, x):
        return x + self.c2(F.relu(self.c1(F.relu(x))))


def djl_arrays(prefix, module):
    """(vqvae-djl name, tensor) of a layer, Sequential or quantizer, as DJL names them: children of
    a SequentialBlock are numbered from 01 with their class name; ReLUs are LambdaBlocks."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        # ConvTranspose2d keeps [in, out, kH, kW], the layout of vqvae-djl's UpsampleConv
        return [(prefix + "_weight", module.weight), (prefix + "_bias", module.bias)]
    if isinstance(module, Residual):
        p = prefix + "_01SequentialBlock"
        return djl_arrays(p + "_02Conv2d", module.c1) + djl_arrays(p + "_04Conv2d", module.c2)
    if isinstance(module, nn.Sequential):
        kind = {nn.Conv2d: "Conv2d", nn.ConvTranspose2d: "UpsampleConv", Residual: "ParallelBlock",
                nn.ReLU: "LambdaBlock"}
        out = []
        for i, child in enumerate(module):
            out += djl_arrays(f"{prefix}_{i + 1:02d}{kind[type(child)]}", child)
        return out
    if isinstance(module, (Quantizer, EmaQuantizer)):
        return module.djl_arrays(prefix)
    if isinstance(module, nn.ReLU):
        return []
    raise TypeError(type(module))


def encoder_trunk(cin, h, rh, nres, down):
    """Encoder.trunk: stride-2 4x4 convolutions with ReLU, a 3x3 convolution, residuals, ReLU."""
    layers, strided = [], {2: 1, 4: 2, 8: 3}[down]
    for i in range(strided):
        out = h if i == strided - 1 else h // 2
        layers += [nn.Conv2d(cin, out, 4, 2, 1), nn.ReLU()]
        cin = out
    return layers + [nn.Conv2d(h, h, 3, 1, 1)] + [Residual(h, rh) for _ in range(nres)] + [nn.ReLU()]


def decoder(cin, cout, h, rh, nres, up):
    """Decoder.build: a 3x3 convolution, residuals, ReLU, stride-2 transposed convolutions."""
    layers, strided = [nn.Conv2d(cin, h, 3, 1, 1)] + [Residual(h, rh) for _ in range(nres)] + [nn.ReLU()], \
        {2: 1, 4: 2, 8: 3}[up]
    c = h
    for i in range(strided):
        last = i == strided - 1
        layers.append(nn.ConvTranspose2d(c, cout if last else h // 2, 4, 2, 1))
        if not last:
            layers.append(nn.ReLU())
        c = h // 2
    return nn.Sequential(*layers)


def nearest(flat, embed):
    return (flat.detach() @ (-2 * embed.detach()).t() + (embed.detach() ** 2).sum(1)).argmin(1)


def perplexity(idx, k):
    p = torch.bincount(idx, minlength=k).float() / idx.numel()
    return torch.exp(-(p * torch.log(p + 1e-10)).sum()).item()


class Quantizer(nn.Module):
    """The paper's quantizer (eq. 3): codebook loss + beta * commitment, means over elements,
    codebook uniform in [-1/K, 1/K], straight-through gradient to the encoder."""

    def __init__(self, k, d, beta=0.25):
        super().__init__()
        self.embed = nn.Parameter(torch.empty(k, d).uniform_(-1 / k, 1 / k))
        self.k, self.beta = k, beta

    def djl_arrays(self, prefix):
        return [(prefix + "_codebook", self.embed)]

    def forward(self, z):
        flat = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])
        idx = nearest(flat, self.embed)
        q = F.embedding(idx, self.embed)
        loss = F.mse_loss(q, flat.detach()) + self.beta * F.mse_loss(flat, q.detach())
        st = flat + (q - flat).detach()
        return st.view(z.shape[0], z.shape[2], z.shape[3], -1).permute(0, 3, 1, 2), loss, idx


class EmaQuantizer(nn.Module):
    """EMA codebook (paper, appendix A.1) as vqvae-djl keeps it: counts start at one
    pseudo-observation per code, sums at the initial codebook; loss is beta * commitment."""

    def __init__(self, k, d, beta=0.25, decay=0.99, eps=1e-5):
        super().__init__()
        w = torch.empty(k, d).uniform_(-1 / k, 1 / k)
        self.register_buffer("embed", w)
        self.register_buffer("cluster", torch.ones(k))
        self.register_buffer("embed_sum", w.clone())
        self.k, self.beta, self.decay, self.eps = k, beta, decay, eps

    def djl_arrays(self, prefix):
        return [(prefix + "_codebook", self.embed), (prefix + "_emaClusterSize", self.cluster),
                (prefix + "_emaEmbedSum", self.embed_sum)]

    def forward(self, z):
        flat = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])
        idx = nearest(flat, self.embed)
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
        return st.view(z.shape[0], z.shape[2], z.shape[3], -1).permute(0, 3, 1, 2), loss, idx


class VQVAE(nn.Module):
    """VqVae: encoder, quantizer, decoder; forward gives (reconstruction, VQ loss, codes)."""

    def __init__(self, c=1, h=128, rh=32, nres=2, k=512, d=64, beta=0.25, ema=False):
        super().__init__()
        self.enc = nn.Sequential(*encoder_trunk(c, h, rh, nres, 4), nn.Conv2d(h, d, 1))
        self.vq = EmaQuantizer(k, d, beta) if ema else Quantizer(k, d, beta)
        self.dec = decoder(d, c, h, rh, nres, 4)

    def djl_arrays(self):
        return djl_arrays("01encoder", self.enc) + djl_arrays("02quantizer", self.vq) + djl_arrays("03decoder", self.dec)

    def forward(self, x):
        q, loss, idx = self.vq(self.enc(x))
        return self.dec(q), loss, [idx]


class VQVAE2(nn.Module):
    """VqVae2 with two levels: top quantized first, the bottom's quantizer input conditioned on a
    decoding of the top codes, the decoder fed both (the top upsampled)."""

    def __init__(self, c=1, h=128, rh=32, nres=2, k=512, d=64, beta=0.25, ema=True):
        super().__init__()
        quantizer = (lambda: EmaQuantizer(k, d, beta)) if ema else (lambda: Quantizer(k, d, beta))
        self.enc_b = nn.Sequential(*encoder_trunk(c, h, rh, nres, 4))
        self.enc_t = nn.Sequential(*encoder_trunk(h, h, rh, nres, 2))
        self.qconv_b = nn.Conv2d(d + h, d, 1)
        self.q_b = quantizer()
        self.cond = decoder(d, d, h, rh, nres, 2)
        self.qconv_t = nn.Conv2d(h, d, 1)
        self.q_t = quantizer()
        self.up_t = nn.Sequential(nn.ConvTranspose2d(d, d, 4, 2, 1))
        self.dec = decoder(2 * d, c, h, rh, nres, 4)

    def djl_arrays(self):
        parts = [("01encoder0", self.enc_b), ("02encoder1", self.enc_t), ("03quantConv0", self.qconv_b),
                 ("04quantizer0", self.q_b), ("05conditioner0", self.cond), ("06quantConv1", self.qconv_t),
                 ("07quantizer1", self.q_t), ("08upsample1", self.up_t), ("09decoder", self.dec)]
        return [a for name, m in parts for a in djl_arrays(name, m)]

    def forward(self, x):
        eb = self.enc_b(x)
        et = self.enc_t(eb)
        qt, lt, it = self.q_t(self.qconv_t(et))
        qb, lb, ib = self.q_b(self.qconv_b(torch.cat([self.cond(qt), eb], 1)))
        return self.dec(torch.cat([qb, self.up_t(qt)], 1)), lt + lb, [ib, it]


def batches(n, batch, steps, seed, order):
    if order is not None:
        return np.load(order)[:steps]
    rng, out, perm = np.random.default_rng(seed), [], np.empty(0, dtype=np.int64)
    while len(out) < steps:
        if len(perm) < batch:
            perm = np.concatenate([perm, rng.permutation(n)])
        out.append(perm[:batch])
        perm = perm[batch:]
    return np.stack(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--order", help=".npy of [steps, batch] training image indices")
    ap.add_argument("--save-init", metavar="NPZ",
                    help="write the initial weights under vqvae-djl's parameter names (NamedArrays layout)")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    train = read_idx(find(a.data, "train-images-idx3-ubyte"))
    test = read_idx(find(a.data, "t10k-images-idx3-ubyte"))
    model = VQVAE(c=train.shape[1])
    if a.save_init:
        np.savez(a.save_init, **{name: t.detach().numpy().astype(np.float32) for name, t in model.djl_arrays()})
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    order = batches(len(train), a.batch, a.steps, a.seed, a.order)
    times = []
    for step in range(a.steps):
        xb = to_pixels(train[order[step]])
        t0 = time.perf_counter()
        recon, vq_loss, _ = model(xb)
        loss = F.mse_loss(recon, xb) + vq_loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
    model.eval()
    with torch.no_grad():  # the whole test set, in chunks of 1000
        sq, codes = 0.0, []
        for i in range(0, len(test), 1000):
            xt = to_pixels(test[i:i + 1000])
            recon, _, idx = model(xt)
            sq += F.mse_loss(recon, xt, reduction="sum").item()
            codes.append(idx[0])
        mse = sq / test.size
        ppl = perplexity(torch.cat(codes), model.vq.k)
    warm = times[min(5, len(times) - 1):]
    print(json.dumps({"peer": "pytorch-eager " + torch.__version__, "steps": a.steps, "batch": a.batch,
                      "threads": a.threads, "seed": a.seed, "ms_per_step": round(1000 * statistics.median(warm), 2),
                      "test_mse": round(mse, 6), "perplexity": round(ppl, 2)}))


if __name__ == "__main__":
    main()
