#!/bin/bash
# Packs the CUDA check for a Linux x86-64 machine that has an NVIDIA GPU and a PyTorch (CUDA) installation but no .NET:
# the .NET runtime, MLCardiac's managed assemblies and TorchSharp's LibTorchSharp — no libtorch, which the target's
# PyTorch provides. Usage: bench/cuda-check/package.sh OUT_DIR   (after `make build`); then on the GPU machine:
#   OUT_DIR/run.sh
set -euo pipefail
out=${1:?usage: package.sh OUT_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build "$root/bench/cuda-check" -c Release -nologo -clp:ErrorsOnly
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/app" "$out"
cp "$root"/src/MLCardiac.Cli/bin/Release/net10.0/*.dll "$stage/app/"
cp "$root"/bench/cuda-check/bin/Release/net10.0/CudaCheck.dll "$root"/bench/cuda-check/bin/Release/net10.0/CudaCheck.runtimeconfig.json "$stage/app/"
cp "$root"/src/MLCardiac.Cli/bin/Release/net10.0/runtimes/linux-x64/native/libLibTorchSharp.so "$stage/app/"
tar -C "$dotnet_root" -cJf "$out/dotnet.tar.xz" dotnet host/fxr shared/Microsoft.NETCore.App
tar -C "$stage" -cJf "$out/app.tar.xz" app
cp "$root/bench/cuda-check/run.sh" "$out/run.sh"
du -sh "$out"
