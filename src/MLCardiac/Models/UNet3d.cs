using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// An anisotropic 3D U-Net for short-axis stacks, in the design nnU-Net's <c>3d_fullres</c> configuration plans for
/// thick-slice data (Isensee et al. 2021, Nat. Methods 18:203; the M&amp;Ms and ACDC plans): the same two
/// convolution–instance-norm–leaky-ReLU blocks per stage as <see cref="UNet2d"/>, but while the slice spacing is more than
/// twice the in-plane spacing (the first <see cref="UNetOptions.InPlaneStages"/> stages) the kernels are 1×3×3 and the
/// down-samplings halve only the in-plane size; from there the kernels are 3×3×3 and the down-samplings halve all three axes.
/// Down-sampling by strided convolution, up-sampling by transposed convolution with the matching stride, skips by
/// concatenation, optional deep supervision.
/// </summary>
/// <remarks>
/// Input [N, InChannels, D, H, W]: H and W divisible by 2^Depth, D by <see cref="UNetOptions.DepthMultiple"/>; output
/// logits [N, Classes, D, H, W]. Short-axis stacks are 6–14 slices of 5–10 mm with 1–2 mm pixels, so a 2D U-Net's in-plane
/// receptive field with through-plane context added only where the resolution allows it is what nnU-Net chooses for
/// them — and what this network is.
/// </remarks>
public sealed class UNet3d : SegmentationNetwork
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> encoder;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> upsample;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> decoder;
    private readonly nn.Module<Tensor, Tensor> head;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> deepHeads;

    /// <summary>Creates the network; throws <see cref="ArgumentException"/> for invalid options or options of another kind.</summary>
    public UNet3d(UNetOptions options) : base(nameof(UNet3d), Checked(options, NetworkKind.UNet3d))
    {
        encoder = new ModuleList<nn.Module<Tensor, Tensor>>();
        for (int s = 0; s <= options.Depth; s++)
        {
            int inCh = s == 0 ? options.InChannels : options.FiltersAt(s - 1);
            (long, long, long) stride = s == 0 ? (1, 1, 1) : (options.ThroughPlaneStride(s), 2, 2);
            encoder.Add(Stage(options, inCh, options.FiltersAt(s), options.ThroughPlaneKernel(s), stride, dropout: s == options.Depth));
        }
        upsample = new ModuleList<nn.Module<Tensor, Tensor>>();
        decoder = new ModuleList<nn.Module<Tensor, Tensor>>();
        deepHeads = new ModuleList<nn.Module<Tensor, Tensor>>();
        for (int s = options.Depth - 1; s >= 0; s--)
        {
            int f = options.FiltersAt(s);
            long zs = options.ThroughPlaneStride(s + 1);
            upsample.Add(nn.ConvTranspose3d(options.FiltersAt(s + 1), f, (zs, 2, 2), stride: (zs, 2, 2), bias: false));
            decoder.Add(Stage(options, 2 * f, f, options.ThroughPlaneKernel(s), (1, 1, 1), dropout: options.Dropout > 0 && s > 0));
            if (options.DeepSupervision && s > 0) deepHeads.Add(nn.Conv3d(f, options.Classes, 1));
        }
        head = nn.Conv3d(options.FiltersAt(0), options.Classes, 1);
        RegisterComponents();
        InitializeWeights(this);
    }

    internal static UNetOptions Checked(UNetOptions options, NetworkKind kind)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Kind != kind) throw new ArgumentException($"The options describe a {options.Kind.Name()}, not a {kind.Name()}.", nameof(options));
        return options;
    }

    /// <inheritdoc />
    public override UNetOutput ForwardAll(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckVolumeInput(Options, input);
        var skips = new List<Tensor>(Options.Depth + 1);
        Tensor x = input;
        foreach (var stage in encoder)
        {
            x = stage.call(x);
            skips.Add(x);
        }
        Tensor bottleneck = x;
        var deep = new List<Tensor>();
        for (int d = 0; d < decoder.Count; d++)
        {
            x = upsample[d].call(x);
            x = decoder[d].call(cat(new[] { x, skips[Options.Depth - 1 - d] }, 1));
            if (Options.DeepSupervision && d < deepHeads.Count) deep.Add(deepHeads[d].call(x));
        }
        deep.Reverse();
        return new UNetOutput(head.call(x), bottleneck, deep, skips);
    }

    /// <inheritdoc />
    public override Tensor StemResponse(Tensor slices) => VolumeStem((nn.Module<Tensor, Tensor>)encoder[0].children().First(), Options, slices);

    /// <summary>The first convolution's response to one volume's slices [N, 1, H, W], as [N, F, H, W] (per slice).</summary>
    internal static Tensor VolumeStem(nn.Module<Tensor, Tensor> first, UNetOptions options, Tensor slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        if (slices.dim() != 4 || slices.shape[1] != options.InChannels)
            throw new ArgumentException($"Expected slices [N, {options.InChannels}, H, W]; got [{string.Join(", ", slices.shape)}].", nameof(slices));
        using var scope = NewDisposeScope();
        Tensor r = first.call(slices.permute(1, 0, 2, 3).unsqueeze(0)); // [1, F, N, H, W]
        return r.squeeze(0).permute(1, 0, 2, 3).contiguous().MoveToOuterDisposeScope();
    }

    internal static void CheckVolumeInput(UNetOptions o, Tensor input)
    {
        if (input.dim() != 5 || input.shape[1] != o.InChannels)
            throw new ArgumentException($"{o.Kind.Name()} expects input [N, {o.InChannels}, D, H, W]; got [{string.Join(", ", input.shape)}].", nameof(input));
        long m = 1L << o.Depth;
        if (input.shape[3] % m != 0 || input.shape[4] % m != 0)
            throw new ArgumentException($"{o.Kind.Name()} with Depth {o.Depth} needs H and W divisible by {m}; got {input.shape[3]}×{input.shape[4]}.", nameof(input));
        if (input.shape[2] % o.DepthMultiple != 0)
            throw new ArgumentException($"{o.Kind.Name()} with Depth {o.Depth} and InPlaneStages {o.InPlaneStages} needs a stack depth divisible by {o.DepthMultiple}; got {input.shape[2]}.", nameof(input));
    }

    private static Sequential Stage(UNetOptions o, int inCh, int outCh, int kz, (long, long, long) stride, bool dropout)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        layers.AddRange(Block(o, "0", inCh, outCh, kz, stride));
        if (dropout && o.Dropout > 0) layers.Add(("drop", nn.Dropout3d(o.Dropout)));
        layers.AddRange(Block(o, "1", outCh, outCh, kz, (1, 1, 1)));
        return nn.Sequential(layers);
    }

    private static IEnumerable<(string, nn.Module<Tensor, Tensor>)> Block(UNetOptions o, string id, int inCh, int outCh, int kz, (long, long, long) stride)
    {
        yield return ("conv" + id, nn.Conv3d(inCh, outCh, (kz, 3, 3), stride: stride, padding: (kz / 2, 1, 1)));
        yield return ("norm" + id, Normalization(o, outCh));
        yield return ("act" + id, Activation(o));
    }

    internal static nn.Module<Tensor, Tensor> Normalization(UNetOptions o, int channels) => o.Normalization switch
    {
        NormalizationKind.Instance => new InstanceNormalization(channels),
        NormalizationKind.Batch => nn.BatchNorm3d(channels),
        NormalizationKind.Group => nn.GroupNorm(o.Groups, channels),
        _ => throw new ArgumentOutOfRangeException(nameof(o), o.Normalization, "unknown normalisation"),
    };

    /// <summary>Kaiming (He) initialisation for leaky ReLU of every 3D convolution, zero biases.</summary>
    internal static void InitializeWeights(nn.Module module)
    {
        using var noGrad = torch.no_grad();
        foreach (var m in module.modules())
        {
            switch (m)
            {
                case Conv3d c:
                    nn.init.kaiming_normal_(c.weight!, a: 0.01);
                    if (c.bias is not null) nn.init.zeros_(c.bias);
                    break;
                case ConvTranspose3d t:
                    nn.init.kaiming_normal_(t.weight!, a: 0.01);
                    if (t.bias is not null) nn.init.zeros_(t.bias);
                    break;
            }
        }
    }
}
