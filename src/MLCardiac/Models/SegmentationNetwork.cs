using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// What every segmentation architecture offers the rest of the system (<see cref="UNet2d"/>, <see cref="UNet3d"/>,
/// <see cref="VNet"/>; <see cref="NetworkKind"/>): training calls <see cref="ForwardAll"/> on its batches, and everything after
/// training — inference backends, quality control, ONNX export, ensembles — calls <see cref="StackLogits"/> and
/// <see cref="StemResponse"/> on the preprocessed slices of one volume, so it never needs to know whether the network sees
/// single slices or stacks.
/// </summary>
/// <remarks>
/// Input of <see cref="ForwardAll"/>: [N, C, H, W] for 2D networks, [N, C, D, H, W] for 3D ones (D a multiple of
/// <see cref="UNetOptions.DepthMultiple"/>). The submodule field names of each network are its checkpoint keys.
/// One instance is not safe for concurrent forward passes.
/// </remarks>
public abstract class SegmentationNetwork : nn.Module<Tensor, Tensor>
{
    /// <summary>Builds the module named <paramref name="name"/> for <paramref name="options"/> (validated by the caller).</summary>
    protected SegmentationNetwork(string name, UNetOptions options) : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>
    /// A network of the architecture <paramref name="options"/> names (<see cref="UNetOptions.Kind"/>), freshly initialised;
    /// refused with <see cref="MLCardiacException"/> where libtorch would compute one of its convolutions wrongly
    /// (<see cref="Numerics.OneDnnGuard.Check{T}"/>).
    /// </summary>
    public static SegmentationNetwork Create(UNetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Numerics.OneDnnGuard.Check<SegmentationNetwork>(options.Kind switch
        {
            NetworkKind.UNet2d => new UNet2d(options),
            NetworkKind.UNet3d => new UNet3d(options),
            NetworkKind.VNet => new VNet(options),
            _ => throw new ArgumentException($"Unknown network kind {options.Kind}.", nameof(options)),
        });
    }

    /// <summary>The architecture this network was built with (stored beside saved weights).</summary>
    public UNetOptions Options { get; }

    /// <summary>True when the network sees stacks of slices ([N, C, D, H, W]).</summary>
    public bool IsVolumetric => Options.IsVolumetric;

    /// <summary>Segmentation logits for a batch ([N, Classes, H, W] or [N, Classes, D, H, W]).</summary>
    public override Tensor forward(Tensor input) => ForwardAll(input).Logits;

    /// <summary>Logits plus the encoder features and deep-supervision logits (for DANN and deep supervision).</summary>
    public abstract UNetOutput ForwardAll(Tensor input);

    /// <summary>
    /// The raw response of the first convolution before any normalisation, per slice: [N, F, H, W] for the slices
    /// [N, 1, H, W] of one volume (in order) — a learned filter bank whose per-channel statistics describe the image's
    /// contrast and texture as acquired (read by the quality control's shift score).
    /// </summary>
    public abstract Tensor StemResponse(Tensor slices);

    /// <summary>
    /// Logits [N, Classes, H, W] for the slices [N, 1, H, W] of one volume, in order. A 2D network runs them as a batch; a 3D
    /// one runs the stack (zero-padded through-plane to its <see cref="UNetOptions.PatchDepth"/>, as in training) and, when the
    /// stack is deeper than a patch, slides a patch-deep window through it with half-patch steps, each window's softmax
    /// weighted by a Gaussian along the stack (σ = patch/8, nnU-Net's weighting) — returned as log of the weighted mean, so a
    /// softmax over classes gives the averaged probabilities.
    /// </summary>
    public Tensor StackLogits(Tensor slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        if (slices.dim() != 4 || slices.shape[1] != Options.InChannels)
            throw new ArgumentException($"Expected slices [N, {Options.InChannels}, H, W]; got [{string.Join(", ", slices.shape)}].", nameof(slices));
        if (!IsVolumetric) return call(slices);
        using var scope = NewDisposeScope();
        long n = slices.shape[0], patch = Options.PatchDepth;
        Tensor stack = slices.permute(1, 0, 2, 3).unsqueeze(0); // [1, C, N, H, W]
        if (n <= patch)
        {
            Tensor padded = nn.functional.pad(stack, [0, 0, 0, 0, 0, patch - n]);
            return call(padded).narrow(2, 0, n).squeeze(0).permute(1, 0, 2, 3).contiguous().MoveToOuterDisposeScope();
        }
        float[] gauss = ThroughPlaneGaussian((int)patch);
        Tensor weights = tensor(gauss, [1, 1, patch, 1, 1], dtype: slices.dtype, device: slices.device);
        Tensor sum = zeros([1, Options.Classes, n, slices.shape[2], slices.shape[3]], dtype: slices.dtype, device: slices.device);
        Tensor weightSum = zeros([1, 1, n, 1, 1], dtype: slices.dtype, device: slices.device);
        foreach (int s in WindowStarts((int)n, (int)patch))
        {
            // A scope per window: a scope owns every tensor made while it is open, the network's activations included, so
            // without it each window's activations lived until the whole stack was done — memory growing with the stack
            // (about 33 MiB a slice for a 16-filter 3D U-Net at 128², measured by the service's warm-up), not one window's.
            using var window = NewDisposeScope();
            Tensor p = nn.functional.softmax(call(stack.narrow(2, s, patch)), 1).mul(weights);
            sum.narrow(2, s, patch).add_(p);
            weightSum.narrow(2, s, patch).add_(weights);
        }
        return sum.div(weightSum).log().squeeze(0).permute(1, 0, 2, 3).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The first slices of the patch-deep windows that cover a stack of <paramref name="count"/> slices, in increasing order
    /// and distinct: 0 when the stack fits one patch (it is zero-padded), else 0, patch/2, patch, … while a window ends before
    /// the stack does, and <c>count − patch</c> last. <see cref="StackLogits"/> and the ONNX Runtime backend both slide these.
    /// </summary>
    public static IReadOnlyList<int> WindowStarts(int count, int patch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(patch, 1);
        if (count <= patch) return [0];
        var starts = new List<int>();
        for (int s = 0; s + patch < count; s += Math.Max(1, patch / 2)) starts.Add(s);
        if (starts[^1] != count - patch) starts.Add(count - patch);
        return starts;
    }

    /// <summary>Gaussian weights along a window of <paramref name="depth"/> slices, centred, σ = depth/8, peak 1 (nnU-Net's importance map, along one axis).</summary>
    public static float[] ThroughPlaneGaussian(int depth)
    {
        double sigma = depth / 8.0, centre = (depth - 1) / 2.0;
        var w = new float[depth];
        for (int z = 0; z < depth; z++) w[z] = (float)Math.Max(Math.Exp(-0.5 * Math.Pow((z - centre) / sigma, 2)), 1e-3);
        return w;
    }

    /// <summary>Number of trainable scalars.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>The non-linearity after each normalisation (leaky ReLU with slope 0.01, as nnU-Net, or ReLU).</summary>
    private protected static nn.Module<Tensor, Tensor> Activation(UNetOptions o) => o.Activation switch
    {
        ActivationKind.LeakyReLU => new LeakyRelu(0.01),
        ActivationKind.ReLU => nn.ReLU(),
        _ => throw new ArgumentOutOfRangeException(nameof(o), o.Activation, "unknown activation"),
    };
}
