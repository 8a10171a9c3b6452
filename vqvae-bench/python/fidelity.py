#!/usr/bin/env python3
"""The PyTorch side of the trajectory check (org.vqvae.bench.FidelityCheck): builds the paper's
model in PyTorch eager (torch_vqvae.py), saves its initial weights under vqvae-djl's parameter
names and a fixed sequence of batches, trains on them with Adam and records what vqvae-djl must
reproduce.

usage: fidelity.py --model vqvae|vqvae-ema|vqvae2 --out DIR [--steps 20] [--batch 32] [--seed 0]
                   [--lr 2e-4] [--data DIR] [--threads 2]
vqvae: codebook loss (the paper's literal quantizer); vqvae-ema: EMA codebook; vqvae2: two levels,
EMA codebooks (VqVae2's default), 32x32 images. --data: Fashion-MNIST IDX files (default
/usr/share/datasets/fashion-mnist); where absent, deterministic random images.
Writes into DIR:
  init.npz        every vqvae-djl parameter (EMA statistics included), PyTorch's initial values
  batches.npy     [steps, batch, 1, H, W] float32 images in [-0.5, 0.5]
  params_1.npz, params_<steps>.npz  the same arrays after step 1 and after the last step
  trajectory.json per step: loss, recon (MSE), vq (the quantizer's loss); grad_norms at step 1
"""
import argparse, json, os, sys
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_vqvae import VQVAE, VQVAE2, find, read_idx, to_pixels  # noqa: E402


def images(data, n, size, seed):
    rng = np.random.default_rng(seed)
    try:
        train = read_idx(find(data, "train-images-idx3-ubyte"))
        x = to_pixels(train[rng.choice(len(train), n, replace=False)]).numpy()
    except SystemExit:
        x = rng.uniform(-0.5, 0.5, (n, 1, 28, 28)).astype(np.float32)
    pad = (size - x.shape[-1]) // 2  # background (-0.5) around the 28x28 images
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=-0.5) if pad else x


def save(model, path):
    np.savez(path, **{name: t.detach().numpy().astype(np.float32) for name, t in model.djl_arrays()})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["vqvae", "vqvae-ema", "vqvae2"], default="vqvae")
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    model = VQVAE2() if a.model == "vqvae2" else VQVAE(ema=a.model == "vqvae-ema")
    size = 32 if a.model == "vqvae2" else 28
    x = images(a.data, a.steps * a.batch, size, a.seed).reshape(a.steps, a.batch, 1, size, size)
    np.save(os.path.join(a.out, "batches.npy"), x)
    save(model, os.path.join(a.out, "init.npz"))
    names = {id(t): name for name, t in model.djl_arrays()}
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    steps, grad_norms = [], {}
    for step in range(a.steps):
        xb = torch.from_numpy(x[step])
        recon, vq_loss, _ = model(xb)
        mse = F.mse_loss(recon, xb)
        loss = mse + vq_loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if step == 0:
            grad_norms = {names[id(p)]: p.grad.norm().item() for p in model.parameters() if p.grad is not None}
        opt.step()
        steps.append({"loss": loss.item(), "recon": mse.item(), "vq": vq_loss.item()})
        if step == 0 or step == a.steps - 1:
            save(model, os.path.join(a.out, f"params_{step + 1}.npz"))
    with open(os.path.join(a.out, "trajectory.json"), "w") as f:
        json.dump({"model": a.model, "torch": torch.__version__, "batch": a.batch, "lr": a.lr, "seed": a.seed,
                   "steps": steps, "grad_norms": grad_norms}, f, indent=1)


if __name__ == "__main__":
    main()
