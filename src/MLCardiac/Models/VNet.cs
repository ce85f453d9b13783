using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// V-Net (Milletari, Navab and Ahmadi 2016, "V-Net: Fully convolutional neural networks for volumetric medical image
/// segmentation", 3DV): residual stages — each stage learns a residual added to its input — of 1, 2, 3, 3, … convolutions
/// with PReLU non-linearities, down-sampling by strided convolution (kernel = stride) instead of pooling, up-sampling by
/// transposed convolution, and decoder stages that concatenate the encoder's features and add their residual to the
/// up-sampled input.
/// </summary>
/// <remarks>
/// <para>Adapted to anisotropic short-axis stacks and to a CPU budget, and so not the paper's network verbatim:</para>
/// <list type="bullet">
/// <item>Kernels are 1×3×3 in the first <see cref="UNetOptions.InPlaneStages"/> stages and 3×3×3 after, and the down-samplings
/// into those stages halve the in-plane size only (the paper's 5×5×5 kernels and isotropic 2×2×2 strides suit its
/// near-isotropic prostate volumes, not 8–10 mm slices; 3×3 in-plane keeps the cost near the U-Net's).</item>
/// <item>Each convolution is followed by the options' normalisation (instance norm by default), which the paper did not
/// have: without it the residual stages trained unstably at our batch sizes, and it keeps the comparison with the U-Nets
/// about the architecture, not the normalisation.</item>
/// <item>Loss: the trainer's Dice + cross-entropy, as for every network (the paper introduced the soft Dice loss alone).</item>
/// </list>
/// <para>Input [N, InChannels, D, H, W] as <see cref="UNet3d"/>'s; output logits [N, Classes, D, H, W]. No deep supervision.</para>
/// </remarks>
public sealed class VNet : SegmentationNetwork
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> down;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> encoder;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> encoderAct;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> upsample;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> decoder;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> decoderAct;
    private readonly nn.Module<Tensor, Tensor> head;

    /// <summary>Creates the network; throws <see cref="ArgumentException"/> for invalid options or options of another kind.</summary>
    public VNet(UNetOptions options) : base(nameof(VNet), UNet3d.Checked(options, NetworkKind.VNet))
    {
        down = new ModuleList<nn.Module<Tensor, Tensor>>();
        encoder = new ModuleList<nn.Module<Tensor, Tensor>>();
        encoderAct = new ModuleList<nn.Module<Tensor, Tensor>>();
        for (int s = 0; s <= options.Depth; s++)
        {
            int f = options.FiltersAt(s);
            if (s > 0)
            {
                long zs = options.ThroughPlaneStride(s);
                down.Add(nn.Sequential(
                    ("conv", nn.Conv3d(options.FiltersAt(s - 1), f, (zs, 2, 2), stride: (zs, 2, 2))),
                    ("norm", UNet3d.Normalization(options, f)),
                    ("act", nn.PReLU(f, 0.25))));
            }
            // Stage 0 sees the one-channel image, which the residual broadcasts across the stage's channels (the paper
            // replicates the input 16 times).
            encoder.Add(Convolutions(options, s == 0 ? options.InChannels : f, f, options.ThroughPlaneKernel(s), Math.Min(s + 1, 3)));
            encoderAct.Add(nn.PReLU(f, 0.25));
        }
        upsample = new ModuleList<nn.Module<Tensor, Tensor>>();
        decoder = new ModuleList<nn.Module<Tensor, Tensor>>();
        decoderAct = new ModuleList<nn.Module<Tensor, Tensor>>();
        for (int s = options.Depth - 1; s >= 0; s--)
        {
            int f = options.FiltersAt(s);
            long zs = options.ThroughPlaneStride(s + 1);
            upsample.Add(nn.Sequential(
                ("conv", nn.ConvTranspose3d(options.FiltersAt(s + 1), f, (zs, 2, 2), stride: (zs, 2, 2), bias: false)),
                ("norm", UNet3d.Normalization(options, f)),
                ("act", nn.PReLU(f, 0.25))));
            decoder.Add(Convolutions(options, 2 * f, f, options.ThroughPlaneKernel(s), Math.Min(s + 1, 3)));
            decoderAct.Add(nn.PReLU(f, 0.25));
        }
        head = nn.Conv3d(options.FiltersAt(0), options.Classes, 1);
        RegisterComponents();
        UNet3d.InitializeWeights(this);
    }

    /// <inheritdoc />
    public override UNetOutput ForwardAll(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        UNet3d.CheckVolumeInput(Options, input);
        var skips = new List<Tensor>(Options.Depth + 1);
        Tensor x = input;
        for (int s = 0; s <= Options.Depth; s++)
        {
            if (s > 0) x = down[s - 1].call(x);
            x = encoderAct[s].call(encoder[s].call(x).add(x));
            skips.Add(x);
        }
        Tensor bottleneck = x;
        for (int d = 0; d < decoder.Count; d++)
        {
            Tensor up = upsample[d].call(x);
            x = decoderAct[d].call(decoder[d].call(cat(new[] { up, skips[Options.Depth - 1 - d] }, 1)).add(up));
        }
        return new UNetOutput(head.call(x), bottleneck, [], skips);
    }

    /// <inheritdoc />
    public override Tensor StemResponse(Tensor slices) => UNet3d.VolumeStem((nn.Module<Tensor, Tensor>)encoder[0].children().First(), Options, slices);

    /// <summary>
    /// <paramref name="count"/> convolutions from <paramref name="inCh"/> to <paramref name="outCh"/> channels, each followed by
    /// normalisation and (except the last, whose output joins the residual sum first) PReLU.
    /// </summary>
    private static Sequential Convolutions(UNetOptions o, int inCh, int outCh, int kz, int count)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < count; i++)
        {
            layers.Add(("conv" + i, nn.Conv3d(i == 0 ? inCh : outCh, outCh, (kz, 3, 3), padding: (kz / 2, 1, 1))));
            layers.Add(("norm" + i, UNet3d.Normalization(o, outCh)));
            if (i < count - 1) layers.Add(("act" + i, nn.PReLU(outCh, 0.25)));
        }
        return nn.Sequential(layers);
    }
}
