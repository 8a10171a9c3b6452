#!/usr/bin/env python3
"""torchvision counterpart of vqvae-bench's LoaderBenchmark: images per second of ImageFolder +
Compose([Resize(S), CenterCrop(S), ToTensor(), Normalize(0.5, 1)]) (so pixels land in [-0.5, 0.5],
as vqvae-djl's ImageSet.toImages makes them) + DataLoader(batch_size=B, num_workers=W,
shuffle=True) on an image folder, timed as the Java side is: `warmup` batches, then the time to
receive `batches` more, running on across epochs.

usage: torch_loader_bench.py --folder DIR [--threads 2] [--workers 0 1 2] [--mode short|long]
                             [--warmup N] [--batches N] [--size 256] [--batch 128] [--profile N]
Prints a line {"peer": ...} and then one JSON line per figure:
{"id": "loader-folder-wW", "workers": W, "images": n, "seconds": s, "images_per_s": r, "shape": [...]}
Needs Debian's python3-torch and python3-torchvision (Pillow decodes and resizes).
"""
import argparse, itertools, json, time
import PIL
import torch
import torchvision
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


def endless(loader):
    """Batches across epochs, as a training loop takes them."""
    for _ in itertools.count():
        yield from loader


def measure(folder, size, batch, workers, warmup, batches, seed):
    tf = transforms.Compose([transforms.Resize(size), transforms.CenterCrop(size), transforms.ToTensor(),
                             transforms.Normalize(0.5, 1)])
    data = datasets.ImageFolder(folder, tf)
    # every batch full, as on the Java side; workers kept across epochs, as its threads are
    extra = {"persistent_workers": True} if workers > 0 else {}
    loader = DataLoader(data, batch_size=batch, shuffle=True, num_workers=workers, drop_last=True,
                        generator=torch.Generator().manual_seed(seed), **extra)
    it = endless(loader)
    for _ in range(warmup):
        next(it)
    began = time.perf_counter()
    for _ in range(batches):
        x, _ = next(it)
    seconds = time.perf_counter() - began
    del it, loader  # stops the workers before the next configuration starts its own
    return {"id": f"loader-folder-w{workers}", "workers": workers, "images": batches * batch, "seconds": seconds,
            "images_per_s": batches * batch / seconds, "shape": list(x.shape),
            "range": [float(x.min()), float(x.max())]}


def profile(folder, size, images):
    """Milliseconds per image of each stage on this thread alone, as LoaderProfile times ours."""
    from PIL import Image
    files = [path for path, _ in datasets.ImageFolder(folder).samples][:images]
    resize, crop = transforms.Resize(size), transforms.CenterCrop(size)
    to_tensor, normalize = transforms.ToTensor(), transforms.Normalize(0.5, 1)
    for name in ("warm-up", "measured"):
        t = [0.0] * 3
        for f in files:
            a = time.perf_counter()
            with open(f, "rb") as fh:
                img = Image.open(fh).convert("RGB")  # torchvision's pil_loader
            b = time.perf_counter()
            img = crop(resize(img))
            c = time.perf_counter()
            normalize(to_tensor(img))
            t[0], t[1], t[2] = t[0] + b - a, t[1] + c - b, t[2] + time.perf_counter() - c
        print(json.dumps({"profile": name, "threads": torch.get_num_threads(), "ms_open_convert": 1000 * t[0] / len(files),
                          "ms_resize_crop": 1000 * t[1] / len(files), "ms_to_tensor_normalize": 1000 * t[2] / len(files)}),
              flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--folder", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workers", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--mode", choices=("short", "long"), default="short")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--warmup", type=int, help="batches before timing (default 2 short, 4 long)")
    ap.add_argument("--batches", type=int, help="batches timed (default 8 short, 32 long)")
    ap.add_argument("--profile", type=int, metavar="N", help="profile the stages on N images instead")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.profile:
        profile(a.folder, a.size, a.profile)
        return
    warmup = a.warmup if a.warmup is not None else 2 if a.mode == "short" else 4
    batches = a.batches if a.batches is not None else 8 if a.mode == "short" else 32
    print(json.dumps({"peer": f"torchvision {torchvision.__version__}, torch {torch.__version__}, "
                              f"Pillow {PIL.__version__}", "threads": a.threads}), flush=True)
    for w in a.workers:
        print(json.dumps(measure(a.folder, a.size, a.batch, w, warmup, batches, 1)), flush=True)


if __name__ == "__main__":
    main()
