using TorchSharp;

namespace MLCardiac.Models;

/// <summary>Everything one <see cref="UNet2d.ForwardAll"/> pass computes.</summary>
/// <param name="Logits">Segmentation logits, [N, Classes, H, W].</param>
/// <param name="Bottleneck">Features at the coarsest stage, [N, F, H/2^Depth, W/2^Depth] (input of a domain head).</param>
/// <param name="DeepSupervision">Logits at coarser decoder levels, finest first ([N, Classes, H/2, W/2], ...); empty when disabled.</param>
/// <param name="Encoder">Output of every encoder stage, full resolution first; the last one is <paramref name="Bottleneck"/>.</param>
public sealed record UNetOutput(torch.Tensor Logits, torch.Tensor Bottleneck, IReadOnlyList<torch.Tensor> DeepSupervision, IReadOnlyList<torch.Tensor> Encoder);
