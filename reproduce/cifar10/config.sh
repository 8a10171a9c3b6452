# The CIFAR-10 VQ-VAE setting (van den Oord et al. 2017, arXiv 1711.00937, section 4.1): every
# size and step count run.sh uses, in one place. Sourced by run.sh after the flags are read
# ($SMOKE set). README.md says where each value comes from and what differs from the paper.

if [ "$SMOKE" = 0 ]; then
  # section 4.1: two 4x4 stride-2 convolutions, two residual 3x3 blocks (ReLU, 3x3 conv, ReLU,
  # 1x1 conv), "all having 256 hidden units"; K = 512; Adam 2e-4, batch 128, 250,000 steps.
  # --paper: the quantizer of eq. 3 (codebook loss, no EMA, no restarts). D = 64 is our choice.
  VQVAE_FLAGS=(--model vqvae --paper --hidden 256 --res-channels 256 --res-blocks 2 --downsample 4
    --codes 512 --code-dim 64 --beta 0.25 --batch 128 --lr 2e-4 --steps 250000 --eval-every 5000)
  # the prior over the 8x8 codes: a class-conditional Gated PixelCNN (the paper gives no CIFAR-10
  # prior's size; these are ours)
  PRIOR_FLAGS=(--arch pixelcnn --channels 128 --layers 15 --kernel 3 --dropout 0.1 --batch 128 --lr 3e-4
    --steps 100000 --eval-every 5000)
  SAMPLE_PER_CLASS=8
else
  # --smoke: the same stages with toy widths and a few dozen steps
  VQVAE_FLAGS=(--model vqvae --paper --hidden 32 --res-channels 16 --res-blocks 1 --downsample 4
    --codes 512 --code-dim 64 --beta 0.25 --batch 16 --lr 1e-3 --steps 40 --eval-every 20)
  PRIOR_FLAGS=(--arch pixelcnn --channels 16 --layers 4 --kernel 3 --dropout 0 --batch 16 --lr 1e-3
    --steps 30 --eval-every 15)
  SAMPLE_PER_CLASS=2
fi
