using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// A 2D U-Net (Ronneberger et al. 2015) in the configuration nnU-Net uses for 2D cardiac MRI
/// (Isensee et al. 2021): two 3×3 convolution–normalisation–activation blocks per stage, down-sampling by
/// strided convolution, up-sampling by transposed convolution, skip connections by concatenation, and
/// optional deep-supervision heads. Weights use Kaiming (He) initialisation for leaky ReLU.
/// </summary>
/// <remarks>
/// Input [N, InChannels, H, W] with H and W divisible by 2^Depth; output logits [N, Classes, H, W].
/// The submodule field names are the checkpoint keys: do not rename them without a migration.
/// One instance is not safe for concurrent forward passes (TorchSharp modules keep state).
/// </remarks>
public sealed class UNet2d : SegmentationNetwork
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> encoder;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> upsample;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> decoder;
    private readonly nn.Module<Tensor, Tensor> head;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> deepHeads;

    /// <summary>Creates the network; throws <see cref="ArgumentException"/> for invalid options.</summary>
    public UNet2d(UNetOptions options) : base(nameof(UNet2d), Checked(options))
    {

        encoder = new ModuleList<nn.Module<Tensor, Tensor>>();
        for (int s = 0; s <= options.Depth; s++)
        {
            int inCh = s == 0 ? options.InChannels : options.FiltersAt(s - 1);
            bool bottleneck = s == options.Depth;
            encoder.Add(Stage(options, inCh, options.FiltersAt(s), stride: s == 0 ? 1 : 2, dropout: bottleneck));
        }

        upsample = new ModuleList<nn.Module<Tensor, Tensor>>();
        decoder = new ModuleList<nn.Module<Tensor, Tensor>>();
        deepHeads = new ModuleList<nn.Module<Tensor, Tensor>>();
        // Decoder index d = 0 is the coarsest (just above the bottleneck); the last one is full resolution.
        for (int s = options.Depth - 1; s >= 0; s--)
        {
            int f = options.FiltersAt(s);
            upsample.Add(nn.ConvTranspose2d(options.FiltersAt(s + 1), f, 2, stride: 2, bias: false));
            decoder.Add(Stage(options, 2 * f, f, stride: 1, dropout: options.Dropout > 0 && s > 0));
            if (options.DeepSupervision && s > 0) deepHeads.Add(nn.Conv2d(f, options.Classes, 1));
        }
        head = nn.Conv2d(options.FiltersAt(0), options.Classes, 1);

        RegisterComponents();
        InitializeWeights();
    }

    private static UNetOptions Checked(UNetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Kind != NetworkKind.UNet2d) throw new ArgumentException($"The options describe a {options.Kind.Name()}, not a 2D U-Net.", nameof(options));
        return options;
    }

    /// <summary>Logits plus the bottleneck features and deep-supervision logits (for DANN and deep supervision).</summary>
    public override UNetOutput ForwardAll(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input);
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
            Tensor skip = skips[Options.Depth - 1 - d];
            x = upsample[d].call(x);
            x = decoder[d].call(cat(new[] { x, skip }, 1));
            if (Options.DeepSupervision && d < deepHeads.Count) deep.Add(deepHeads[d].call(x));
        }
        deep.Reverse(); // finest first
        return new UNetOutput(head.call(x), bottleneck, deep, skips);
    }

    /// <summary>
    /// The raw response of the first convolution [N, BaseFilters, H, W], before any normalisation: a learned filter bank
    /// whose per-channel statistics describe the image's contrast and texture as acquired — what instance normalisation
    /// removes from every later feature (read by the quality control's shift score).
    /// </summary>
    public override Tensor StemResponse(Tensor slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        Tensor input = slices;
        CheckInput(input);
        var first = (nn.Module<Tensor, Tensor>)encoder[0].children().First();
        return first.call(input);
    }

    private void CheckInput(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != Options.InChannels)
            throw new ArgumentException(
                $"UNet2d expects input [N, {Options.InChannels}, H, W]; got [{string.Join(", ", input.shape)}].", nameof(input));
        long m = 1L << Options.Depth;
        if (input.shape[2] % m != 0 || input.shape[3] % m != 0)
            throw new ArgumentException(
                $"UNet2d with Depth {Options.Depth} needs H and W divisible by {m}; got {input.shape[2]}×{input.shape[3]}.", nameof(input));
    }

    private static Sequential Stage(UNetOptions o, int inCh, int outCh, int stride, bool dropout)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        layers.AddRange(Block(o, "0", inCh, outCh, stride));
        if (dropout && o.Dropout > 0) layers.Add(("drop", nn.Dropout2d(o.Dropout)));
        layers.AddRange(Block(o, "1", outCh, outCh, 1));
        return nn.Sequential(layers);
    }

    private static IEnumerable<(string, nn.Module<Tensor, Tensor>)> Block(UNetOptions o, string id, int inCh, int outCh, int stride)
    {
        yield return ("conv" + id, nn.Conv2d(inCh, outCh, 3, stride: stride, padding: 1));
        yield return ("norm" + id, o.Normalization switch
        {
            NormalizationKind.Instance => new InstanceNormalization(outCh),
            NormalizationKind.Batch => nn.BatchNorm2d(outCh),
            NormalizationKind.Group => nn.GroupNorm(o.Groups, outCh),
            _ => throw new ArgumentOutOfRangeException(nameof(o), o.Normalization, "unknown normalisation"),
        });
        yield return ("act" + id, Activation(o));
    }

    private void InitializeWeights()
    {
        using var noGrad = torch.no_grad();
        foreach (var m in modules())
        {
            switch (m)
            {
                case Conv2d c:
                    nn.init.kaiming_normal_(c.weight!, a: 0.01);
                    if (c.bias is not null) nn.init.zeros_(c.bias);
                    break;
                case ConvTranspose2d t:
                    nn.init.kaiming_normal_(t.weight!, a: 0.01);
                    if (t.bias is not null) nn.init.zeros_(t.bias);
                    break;
            }
        }
    }
}
