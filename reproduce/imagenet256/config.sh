# The ImageNet 256x256 VQ-VAE-2 setting (Razavi et al. 2019, arXiv 1906.00446): every size and
# step count run.sh uses, in one place. Sourced by run.sh after the flags are read ($SMOKE set).
# README.md says where each value comes from and what differs from the paper.

if [ "$SMOKE" = 0 ]; then
  IMAGE_SIZE=256                       # 256x256 images: 64x64 bottom and 32x32 top codes
  PREPARE_FLAGS=(--image-size "$IMAGE_SIZE")
  # the VQ-VAE-2 of the paper's appendix table for ImageNet: 128 hidden units, 64 residual units,
  # 2 residual layers, K = 512 codes of D = 64 per level, beta = 0.25, batch 128; EMA codebooks
  VQVAE_FLAGS=(--model vqvae2 --levels 2 --hidden 128 --res-channels 64 --res-blocks 2
    --codes 512 --code-dim 64 --beta 0.25 --ema --batch 128 --lr 2e-4
    --steps 2200000 --eval-every 10000 --eval-images 5000)
  # top prior: PixelSNAIL over the 32x32 codes, class-conditional, at the published width
  # (512 channels, filter size 5, dropout 0.1, 8 heads); 10 blocks of 2 gated layers = 20 layers
  TOP_PRIOR_FLAGS=(--level top --arch pixelsnail --channels 512 --blocks 10 --heads 8 --kernel 5
    --dropout 0.1 --batch 1024 --lr 3e-4 --steps 2600000 --eval-every 10000)
  # bottom prior: over the 64x64 codes, conditioned on the top codes, no attention
  BOTTOM_PRIOR_FLAGS=(--level bottom --arch pixelsnail --channels 512 --blocks 10 --heads 0 --kernel 5
    --dropout 0.1 --batch 512 --lr 3e-4 --steps 1400000 --eval-every 10000)
  SAMPLE_PER_CLASS=8                   # images per row of the samples grid
  DEFAULT_SAMPLE_CLASSES="0,1,2,3,4,5,6,7,8,9"   # rows, when the data has more than 10 classes
else
  # --smoke: the same stages at toy sizes (64x64 images: 16x16 bottom and 8x8 top codes), so a
  # few hundred images run through every stage on 2 CPU cores in minutes. K and D stay the paper's.
  IMAGE_SIZE=64
  PREPARE_FLAGS=(--image-size "$IMAGE_SIZE")
  VQVAE_FLAGS=(--model vqvae2 --levels 2 --hidden 32 --res-channels 16 --res-blocks 1
    --codes 512 --code-dim 64 --beta 0.25 --ema --restart-after 10 --batch 16 --lr 1e-3
    --steps 40 --eval-every 20)
  TOP_PRIOR_FLAGS=(--level top --arch pixelsnail --channels 32 --blocks 1 --heads 2 --kernel 3
    --dropout 0 --batch 16 --lr 1e-3 --steps 30 --eval-every 15)
  BOTTOM_PRIOR_FLAGS=(--level bottom --arch pixelsnail --channels 32 --blocks 1 --heads 0 --kernel 3
    --dropout 0 --batch 16 --lr 1e-3 --steps 30 --eval-every 15)
  SAMPLE_PER_CLASS=2
  DEFAULT_SAMPLE_CLASSES="0,1,2,3"
fi
