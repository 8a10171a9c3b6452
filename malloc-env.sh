# glibc allocator settings for a JVM computing with libtorch, sourced by the vqvae launcher, the
# benchmark scripts and the Spark launcher (vqvae-bench/gpu/env.sh, shipped on its own, repeats them).
# glibc returns every large tensor's memory to the OS when it is freed and maps it afresh on the next
# allocation (page faults on every step); keeping it in the heap makes large models up to 1.7x faster
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-4294967296}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-68719476736}"
export MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-1073741824}"
# one malloc arena: in a JVM, DJL runs on threads other than the process's first, whose arenas
# cannot hold a tensor over 64 MB, so every such tensor was mapped afresh (page faults) despite the above
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"
