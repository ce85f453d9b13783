#!/bin/bash
# Runs the packed CUDA check (package.sh) on a GPU machine whose python3 has PyTorch with CUDA.
# Files land in $OUT (default /tmp/cuda-check-out).
here=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-/tmp/cuda-check-out}; mkdir -p "$OUT" /tmp/cuda-check/dotnet
tar -C /tmp/cuda-check/dotnet -xJf "$here/dotnet.tar.xz" && tar -C /tmp/cuda-check -xJf "$here/app.tar.xz" || exit 3
lib=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))') || exit 4
python3 -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda)'
command -v nvidia-smi >/dev/null && nvidia-smi -L
cd /tmp/cuda-check/app && rm -f CudaCheck.deps.json   # no deps file: the host loads every assembly beside the app
# TorchSharp loads libtorch_cuda.so, then LibTorchSharp, whose libtorch/libc10 dependencies resolve to PyTorch's copies.
export LD_LIBRARY_PATH="$lib:/tmp/cuda-check/app" DOTNET_ROOT=/tmp/cuda-check/dotnet
timeout 420 /tmp/cuda-check/dotnet/dotnet CudaCheck.dll "$@" 2>&1 | grep -v '^Copy ' | tee "$OUT/cuda-check.txt"
