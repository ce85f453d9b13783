using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// A network of GoogLeNet inception modules (Szegedy et al., "Going Deeper with Convolutions", CVPR 2015,
/// arXiv:1409.4842) that classifies a slice's vendor. Input [N, InChannels, H, W]; output logits [N, Classes].
/// </summary>
/// <remarks>
/// <para>A module runs four branches on the same input and concatenates their outputs along the channels: a 1×1
/// convolution; a 1×1 reduction → 3×3; a 1×1 reduction → 5×5 (the paper's original, not v2/v3's two 3×3); a 3×3
/// stride-1 max-pool → 1×1 projection. Every convolution is followed by batch normalisation and ReLU (BN as in
/// Inception-v2, Ioffe &amp; Szegedy 2015, and torchvision's <c>googlenet.py</c>). Branch widths are on
/// <see cref="InceptionOptions"/>.</para>
/// <para>Stem: one 3×3 stride-2 convolution (+ BN, ReLU), as <see cref="ResNetClassifier"/>'s, instead of GoogLeNet's
/// 7×7 / max-pool / 1×1 / 3×3 / max-pool. Between stages, a 3×3 stride-2 max-pool with padding 1. Head: global average
/// pooling → dropout (40 % in the paper) → linear; the auxiliary classifiers are left out, as torchvision does at inference.</para>
/// </remarks>
public sealed class InceptionClassifier : VendorClassifierNetwork
{
    private readonly Sequential stem;
    private readonly Sequential stages;
    private readonly Sequential head;

    /// <summary>Creates the network; throws <see cref="ArgumentException"/> for invalid options.</summary>
    public InceptionClassifier(InceptionOptions options) : base(nameof(InceptionClassifier))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        int w = options.BaseWidth;
        stem = ClassifierStem(options.InChannels, w);

        var parts = new List<(string, nn.Module<Tensor, Tensor>)>();
        int inCh = w;
        for (int s = 0; s < options.ModulesPerStage.Count; s++)
        {
            if (s > 0) parts.Add(($"pool{s}", nn.MaxPool2d(3, stride: 2, padding: 1)));
            var widths = BranchWidths.Of(w << s);
            for (int m = 0; m < options.ModulesPerStage[s]; m++)
            {
                parts.Add(($"s{s}m{m}", new InceptionModule(inCh, widths)));
                inCh = widths.Output;
            }
        }
        stages = nn.Sequential(parts);
        FeatureCount = inCh;
        head = ClassifierHead(inCh, options);
        RegisterComponents();
        InitialiseConvolutions();
    }

    /// <summary>The architecture this network was built with.</summary>
    public override InceptionOptions Options { get; }

    /// <summary>Width of the pooled feature vector.</summary>
    public override int FeatureCount { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        return head.call(stages.call(stem.call(input)));
    }

    /// <summary>
    /// The filters of a module of width w, in GoogLeNet 3a's proportions (64, 96 → 128, 16 → 32, 32 at w = 64):
    /// 1×1 w; 3×3 reduction 3w/2 → 2w; 5×5 reduction w/4 → w/2; pool projection w/2 (each at least 1).
    /// </summary>
    internal readonly record struct BranchWidths(int OneByOne, int Reduce3, int Three, int Reduce5, int Five, int PoolProjection)
    {
        public static BranchWidths Of(int w) => new(w, Math.Max(1, 3 * w / 2), 2 * w, Math.Max(1, w / 4), Math.Max(1, w / 2), Math.Max(1, w / 2));

        /// <summary>Channels of the concatenated output.</summary>
        public int Output => OneByOne + Three + Five + PoolProjection;
    }

    /// <summary>Conv → BN → ReLU, the unit of every branch.</summary>
    private static IEnumerable<(string, nn.Module<Tensor, Tensor>)> ConvUnit(string name, int inCh, int outCh, int kernel) =>
    [
        (name, nn.Conv2d(inCh, outCh, kernel, padding: kernel / 2, bias: false)),
        (name + "_bn", nn.BatchNorm2d(outCh)),
        (name + "_relu", nn.ReLU()),
    ];

    /// <summary>Four parallel branches concatenated along the channels.</summary>
    private sealed class InceptionModule : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential b1;
        private readonly Sequential b3;
        private readonly Sequential b5;
        private readonly Sequential bpool;

        public InceptionModule(int inCh, BranchWidths c) : base(nameof(InceptionModule))
        {
            b1 = nn.Sequential(ConvUnit("conv", inCh, c.OneByOne, 1));
            b3 = nn.Sequential([.. ConvUnit("reduce", inCh, c.Reduce3, 1), .. ConvUnit("conv", c.Reduce3, c.Three, 3)]);
            b5 = nn.Sequential([.. ConvUnit("reduce", inCh, c.Reduce5, 1), .. ConvUnit("conv", c.Reduce5, c.Five, 5)]);
            bpool = nn.Sequential([("pool", nn.MaxPool2d(3, stride: 1, padding: 1)), .. ConvUnit("conv", inCh, c.PoolProjection, 1)]);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            return torch.cat([b1.call(input), b3.call(input), b5.call(input), bpool.call(input)], 1).MoveToOuterDisposeScope();
        }
    }
}
