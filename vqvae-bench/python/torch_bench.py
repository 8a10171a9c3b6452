#!/usr/bin/env python3
"""PyTorch-eager counterparts of every vqvae-djl benchmark (vqvae-bench's JMH suite), the same
architectures, shapes and batch sizes, timed on the same machine and threads.

usage: torch_bench.py [--threads 2] [--device cpu|cuda] [--mode short|long] [--only ID ...] [--profile N]
Prints one JSON line per figure: {"id": ..., "ms": mean milliseconds per operation, "ops": n}
and first a line {"peer": "pytorch-eager VERSION", ...}. With --profile N each figure runs 2 warm-up
operations, then N under torch.profiler, and its line is {"id": ..., "wall_ms": per operation,
"iterations": N, "ops": {"aten::mm": {"calls": per operation, "self_ms": per operation}, ...}}
(vqvae-bench's ProfileReport sets it beside libtorch's profile of the JMH workload).
Needs Debian's python3-torch (and libopenblas0-pthread for a fair CPU figure), or any PyTorch.
"""
import argparse, json, math, os, re, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_vqvae2 import VQVAE2, Residual  # noqa: E402


# ---- VQ-VAE of the paper (as vqvae-djl's VqVae with its defaults: codebook loss, beta 0.25) ----
class Quantizer(nn.Module):
    def __init__(self, k, d, beta=0.25):
        super().__init__()
        self.emb = nn.Embedding(k, d)
        self.emb.weight.data.uniform_(-1 / k, 1 / k)
        self.beta = beta

    def codes(self, z):
        zf = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])
        return (zf.detach() @ (-2 * self.emb.weight.detach()).t() + (self.emb.weight.detach() ** 2).sum(1)).argmin(1)

    def forward(self, z):
        idx = self.codes(z)
        q = self.emb(idx).view(z.shape[0], z.shape[2], z.shape[3], -1).permute(0, 3, 1, 2)
        loss = F.mse_loss(q, z.detach()) + self.beta * F.mse_loss(z, q.detach())
        return z + (q - z).detach(), loss, idx.view(z.shape[0], z.shape[2], z.shape[3])


class VQVAE(nn.Module):
    def __init__(self, c=1, h=128, rh=32, nres=2, k=512, d=64):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(c, h // 2, 4, 2, 1), nn.ReLU(), nn.Conv2d(h // 2, h, 4, 2, 1), nn.ReLU(),
                                 nn.Conv2d(h, h, 3, 1, 1), *[Residual(h, rh) for _ in range(nres)], nn.ReLU(),
                                 nn.Conv2d(h, d, 1))
        self.vq = Quantizer(k, d)
        self.dec = nn.Sequential(nn.Conv2d(d, h, 3, 1, 1), *[Residual(h, rh) for _ in range(nres)], nn.ReLU(),
                                 nn.ConvTranspose2d(h, h // 2, 4, 2, 1), nn.ReLU(),
                                 nn.ConvTranspose2d(h // 2, c, 4, 2, 1))

    def forward(self, x):
        q, loss, _ = self.vq(self.enc(x))
        return self.dec(q), loss

    def encode(self, x):
        return [self.vq.forward(self.enc(x))[2]]

    def decode(self, codes):
        return self.dec(self.vq.emb(codes[0]).permute(0, 3, 1, 2))


def vqvae2_encode(m, x):
    eb = m.enc_b(x)
    et = m.enc_t(eb)
    zt = m.qconv_t(et)
    qt, _ = m.q_t(zt)
    zb = m.qconv_b(torch.cat([m.cond(qt), eb], 1))
    codes = []
    for q, z in ((m.q_b, zb), (m.q_t, zt)):
        flat = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])
        codes.append((flat @ (-2 * q.embed).t() + (q.embed ** 2).sum(1)).argmin(1).view(z.shape[0], z.shape[2], z.shape[3]))
    return codes


def vqvae2_decode(m, codes):
    qb = F.embedding(codes[0], m.q_b.embed).permute(0, 3, 1, 2)
    qt = F.embedding(codes[1], m.q_t.embed).permute(0, 3, 1, 2)
    return m.dec(torch.cat([qb, m.up_t(qt)], 1))


def autoencoder(name):
    return {"vqvae-28": lambda: (VQVAE(1), (1, 28, 28)), "vqvae-32": lambda: (VQVAE(3), (3, 32, 32)),
            "vqvae2-256": lambda: (VQVAE2(), (3, 256, 256))}[name]()


# ---- priors: vqvae-djl's GatedLayer, GatedPixelCnn, CausalAttention and PixelSnail ----
class GatedLayer(nn.Module):
    def __init__(self, c, k, classes, type_a):
        super().__init__()
        half = k // 2
        self.c, self.half, self.type_a = c, half, type_a
        self.v = nn.Conv2d(c, 2 * c, (half + 1, k), padding=(half, half))
        self.h = nn.Conv2d(c, 2 * c, (1, half + 1), padding=(0, half))
        self.link = nn.Conv2d(2 * c, 2 * c, 1)
        self.out = nn.Conv2d(c, c, 1)
        self.cls = nn.Embedding(classes, 2 * c)

    def gate(self, x):
        a, b = x.chunk(2, 1)
        return torch.tanh(a) * torch.sigmoid(b)

    def forward(self, v, h, labels):
        hh, ww = v.shape[2], v.shape[3]
        vw, hw = self.v.weight, self.h.weight
        if self.type_a:
            vw = vw.clone(); vw[:, :, -1] = 0
            hw = hw.clone(); hw[:, :, :, -1] = 0
        cond = self.cls(labels)[:, :, None, None]
        vpre = F.conv2d(v, vw, self.v.bias, padding=(self.half, self.half))[:, :, :hh]
        hpre = F.conv2d(h, hw, self.h.bias, padding=(0, self.half))[:, :, :, :ww]
        vout = self.gate(vpre + cond)
        hout = self.out(self.gate(hpre + self.link(vpre) + cond))
        return vout, hout if self.type_a else hout + h


class Head(nn.Module):
    def __init__(self, c, k):
        super().__init__()
        self.a, self.b = nn.Conv2d(c, 2 * c, 1), nn.Conv2d(2 * c, k, 1)

    def forward(self, h):
        return self.b(F.relu(self.a(F.relu(h))))


class GatedPixelCnn(nn.Module):
    def __init__(self, k=512, classes=10, c=64, layers=12, kernel=3):
        super().__init__()
        self.emb = nn.Embedding(k, c)
        self.layers = nn.ModuleList([GatedLayer(c, kernel, classes, i == 0) for i in range(layers)])
        self.head = Head(c, k)
        self.receptive = layers * (kernel // 2)

    def forward(self, codes, labels):
        x = self.emb(codes).permute(0, 3, 1, 2)
        v, h = x, x
        for layer in self.layers:
            v, h = layer(v, h, labels)
        return self.head(h)


class CausalAttention(nn.Module):
    def __init__(self, c, heads=2, dk=16, dv=32, chunk=256):
        super().__init__()
        self.heads, self.dk, self.dv, self.chunk = heads, dk, dv, chunk
        self.q = nn.Conv2d(c + 2, heads * dk, 1)
        self.k = nn.Conv2d(2 * c + 2, heads * dk, 1)
        self.v = nn.Conv2d(2 * c + 2, heads * dv, 1)
        self.o = nn.Conv2d(heads * dv, c, 1)

    def forward(self, feat, emb):
        n, _, h, w = feat.shape
        p = h * w
        rows = torch.arange(h, dtype=feat.dtype, device=feat.device).view(h, 1).expand(h, w) / max(h - 1, 1)
        cols = torch.arange(w, dtype=feat.dtype, device=feat.device).view(1, w).expand(h, w) / max(w - 1, 1)
        pos = torch.stack([rows, cols]).unsqueeze(0).expand(n, 2, h, w)
        split = lambda y, d: y.reshape(n, self.heads, d, p).transpose(2, 3)
        q = split(self.q(torch.cat([feat, pos], 1)), self.dk)
        kv_in = torch.cat([feat, emb, pos], 1)
        k, v = split(self.k(kv_in), self.dk), split(self.v(kv_in), self.dv)
        parts = []
        for f in range(0, p, self.chunk):
            t = min(p, f + self.chunk)
            qi = torch.arange(f, t, device=feat.device).view(-1, 1)
            mask = torch.arange(t, device=feat.device).view(1, -1) >= qi
            s = (q[:, :, f:t] @ k[:, :, :t].transpose(2, 3)) / math.sqrt(self.dk)
            r = s.masked_fill(mask, -1e9).softmax(-1) @ v[:, :, :t]
            if f == 0:
                r = r * (qi != 0).to(r.dtype)
            parts.append(r)
        read = torch.cat(parts, 2).transpose(2, 3).reshape(n, self.heads * self.dv, h, w)
        return self.o(read)


class PixelSnail(nn.Module):
    def __init__(self, k=512, classes=10, c=64, blocks=2, per_block=2, kernel=3, heads=2):
        super().__init__()
        self.emb = nn.Embedding(k, c)
        self.first = GatedLayer(c, kernel, classes, True)
        self.blocks = nn.ModuleList([nn.ModuleList([GatedLayer(c, kernel, classes, False) for _ in range(per_block)])
                                     for _ in range(blocks)])
        self.attn = nn.ModuleList([CausalAttention(c, heads) for _ in range(blocks)])
        self.head = Head(c, k)
        self.receptive = 10 ** 9

    def forward(self, codes, labels):
        x = self.emb(codes).permute(0, 3, 1, 2)
        v, h = self.first(x, x, labels)
        for layers, attn in zip(self.blocks, self.attn):
            for layer in layers:
                v, h = layer(v, h, labels)
            h = h + attn(h, x)
        return self.head(h)


def prior(name):
    if name == "pixelsnail-32-paper":
        # the ImageNet top prior of reproduce/imagenet256/config.sh: 512 channels, 10 blocks of 2 gated
        # layers, filter size 5, 8 heads (no dropout here); for GPU-hour estimates, not in the CPU suite
        return PixelSnail(c=512, blocks=10, kernel=5, heads=8), 32
    kind, size = name.rsplit("-", 1)
    return (GatedPixelCnn() if kind == "pixelcnn" else PixelSnail()), int(size)


@torch.no_grad()
def sample(model, size, classes, fast, gen):
    n = len(classes)
    codes = torch.zeros(n, size, size, dtype=torch.long, device=classes.device)
    for i in range(size):
        top = max(0, i - model.receptive) if fast else 0
        bottom = i + 1 if fast else size
        for j in range(size):
            logits = model(codes[:, top:bottom], classes)[:, :, i - top, j]
            codes[:, i, j] = torch.multinomial(logits.softmax(1), 1, generator=gen).squeeze(1)
    return codes


# ---- timing ----
def timed(fn, budget, warm):
    for _ in range(warm):
        fn()
    times, start = [], time.perf_counter()
    while len(times) < 2 or (time.perf_counter() - start < budget and len(times) < 1000):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * sum(times) / len(times), len(times)


def profiled(iterations):
    """A timer for figures(): 2 warm-up calls, then `iterations` under torch.profiler (CPU, shapes recorded);
    returns the wall time and each operator's calls and self time, per call."""
    from torch.profiler import ProfilerActivity, profile

    def timer(fn, budget, warm):
        for _ in range(2):
            fn()
        with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
            start = time.perf_counter()
            for _ in range(iterations):
                fn()
            wall = time.perf_counter() - start
        ops = {e.key: {"calls": e.count / iterations, "self_ms": e.self_cpu_time_total / 1000 / iterations}
               for e in prof.key_averages()}
        return {"wall_ms": 1000 * wall / iterations, "iterations": iterations, "ops": ops}
    return timer


def train_batches(only):
    """The suite's training steps, and any other batch asked for as train-NAME-bB (BenchReport --param)."""
    suite = [("vqvae-28", 128, ""), ("vqvae-32", 128, ""), ("vqvae2-256", 16, "")]
    for fid in only or ():
        m = re.fullmatch(r"train-(.+)-b(\d+)", fid)
        if m:
            suite.append((m.group(1), int(m.group(2)), f"-b{m.group(2)}"))
    return suite


def figures(device, budget, only=None, timer=timed):
    """Yields (figure id, callable): the callable builds the workload and returns timer(operation, budget, warm-up
    calls): by default timed()'s (mean ms, operations), with profiled(n) its profile."""
    sync = (lambda: torch.cuda.synchronize()) if device.type == "cuda" else (lambda: None)
    def run(fn, warm=2):
        return timer(lambda: (fn(), sync()), budget, warm)

    a, b = torch.rand(1024, 1024, device=device), torch.rand(1024, 1024, device=device)
    yield "matmul-1024", lambda: run(lambda: a @ b)
    for n in (4096, 65536):
        for k in (512, 8192):
            def quant(n=n, k=k):
                z, e = torch.randn(n, 64, device=device), torch.randn(k, 64, device=device)
                return run(lambda: F.embedding((z @ (-2 * e).t() + (e ** 2).sum(1)).argmin(1), e))
            yield f"quantizer-N{n}-K{k}", quant
    for name, batch, suffix in train_batches(only):
        def train(name=name, batch=batch):
            model, shape = autoencoder(name)
            model = model.to(device)
            opt = torch.optim.Adam(model.parameters(), lr=2e-4)
            x = torch.rand(batch, *shape, device=device) - 0.5
            def step():
                recon, vq = model(x)
                loss = F.mse_loss(recon, x) + vq
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            return run(step)
        yield f"train-{name}{suffix}", train
    for name, batch in (("vqvae-28", 128), ("vqvae2-256", 16)):
        def codec(name=name, batch=batch, op="encode"):
            model, shape = autoencoder(name)
            model = model.to(device).eval()
            enc = (lambda x: vqvae2_encode(model, x)) if name.startswith("vqvae2") else model.encode
            dec = (lambda c: vqvae2_decode(model, c)) if name.startswith("vqvae2") else model.decode
            x = torch.rand(batch, *shape, device=device) - 0.5
            with torch.no_grad():
                codes = enc(x)
                return run(lambda: enc(x) if op == "encode" else dec(codes))
        yield f"encode-{name}", lambda codec=codec: codec(op="encode")
        yield f"decode-{name}", lambda codec=codec: codec(op="decode")
    # the paper-size top prior only when asked for by name (minutes per step on a CPU)
    paper = [("pixelsnail-32-paper", 32)] if only and "prior-step-pixelsnail-32-paper" in only else []
    for name, batch in [("pixelcnn-8", 128), ("pixelsnail-32", 16)] + paper:
        def prior_step(name=name, batch=batch):
            model, size = prior(name)
            model = model.to(device)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            codes = torch.randint(0, 512, (batch, size, size), device=device)
            labels = torch.randint(0, 10, (batch,), device=device)
            def step():
                loss = F.cross_entropy(model(codes, labels), codes)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            return run(step)
        yield f"prior-step-{name}", prior_step
    for name in ("pixelcnn-8", "pixelsnail-8", "pixelsnail-16"):
        # PixelSNAIL's fast sampler (cached keys and values) has no counterpart here: the PyTorch
        # originals (rosinality's sample.py) recompute the whole map, which is the naive figure
        for kind in (("naive", "fast") if name.startswith("pixelcnn") else ("naive",)):
            def sampling(name=name, kind=kind):
                model, size = prior(name)
                model = model.to(device).eval()
                classes = torch.arange(16, device=device) % 10
                gen = torch.Generator(device=device).manual_seed(1)
                return run(lambda: sample(model, size, classes, kind == "fast", gen), warm=1)
            yield f"sample-{name}-{kind}", sampling


def blas():
    """The BLAS that this PyTorch's matrix products run on (Debian's build links the system libblas.so.3)."""
    info = torch.__config__.show()
    if "BLAS_INFO=mkl" in info:
        return "mkl"
    system = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    return os.path.basename(os.path.dirname(os.path.realpath(system))) if os.path.exists(system) else "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--mode", choices=("short", "long"), default="short")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--profile", type=int, metavar="N", help="profile N operations per figure instead of timing")
    a = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    device = torch.device("cuda" if a.device in ("gpu", "cuda") else "cpu")
    print(json.dumps({"peer": "pytorch-eager " + torch.__version__, "threads": a.threads, "device": str(device),
                      "blas": blas()}), flush=True)
    budget = 3.0 if a.mode == "short" else 15.0
    for fid, fn in figures(device, budget, a.only, profiled(a.profile) if a.profile else timed):
        if a.only and fid not in a.only:
            continue
        if a.profile:
            print(json.dumps({"id": fid, **fn()}), flush=True)
            continue
        ms, ops = fn()
        print(json.dumps({"id": fid, "ms": round(ms, 4), "ops": ops}), flush=True)


if __name__ == "__main__":
    main()
