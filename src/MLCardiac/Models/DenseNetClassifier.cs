using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// A DenseNet-BC (Huang, Liu, van der Maaten &amp; Weinberger, "Densely Connected Convolutional Networks", CVPR 2017,
/// arXiv:1608.06993) that classifies a slice's vendor. Input [N, InChannels, H, W]; output logits [N, Classes].
/// </summary>
/// <remarks>
/// <para>Each dense layer is BN → ReLU → Conv 1×1 (<see cref="DenseNetOptions.BottleneckFactor"/>·k filters) → BN → ReLU
/// → Conv 3×3 (k filters), and its k new feature maps are concatenated to everything before it in the block, so a block
/// of L layers over m input maps outputs m + L·k. A transition layer (BN → ReLU → Conv 1×1 to ⌊θ·m⌋ maps → 2×2
/// average pooling, stride 2) follows every block but the last; after the last come BN → ReLU → global average pooling →
/// dropout → linear. The layout follows the paper's Table 1 and torchvision's <c>densenet.py</c>.</para>
/// <para>As in <see cref="ResNetClassifier"/>, the stem is one 3×3 stride-2 convolution (+ BN, ReLU) instead of ImageNet's
/// 7×7 + max-pool: the texture that tells vendors apart lives at the finest scale of a 128×128 slice. The layout of
/// DenseNet-121 and the defaults chosen are on <see cref="DenseNetOptions"/>.</para>
/// </remarks>
public sealed class DenseNetClassifier : VendorClassifierNetwork
{
    private readonly Sequential stem;
    private readonly Sequential features;
    private readonly Sequential head;

    /// <summary>Creates the network; throws <see cref="ArgumentException"/> for invalid options.</summary>
    public DenseNetClassifier(DenseNetOptions options) : base(nameof(DenseNetClassifier))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        int width = options.StemWidth;
        stem = ClassifierStem(options.InChannels, width);

        var parts = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int b = 0; b < options.BlockSizes.Count; b++)
        {
            parts.Add(($"block{b}", new DenseBlock(width, options.BlockSizes[b], options.GrowthRate, options.BottleneckFactor)));
            width += options.BlockSizes[b] * options.GrowthRate;
            if (b < options.BlockSizes.Count - 1)
            {
                int reduced = TransitionWidth(width, options.Compression);
                parts.Add(($"transition{b}", nn.Sequential(
                    ("bn", nn.BatchNorm2d(width)),
                    ("relu", nn.ReLU()),
                    ("conv", nn.Conv2d(width, reduced, 1, bias: false)),
                    ("pool", nn.AvgPool2d(2, stride: 2)))));
                width = reduced;
            }
        }
        parts.Add(("bn", nn.BatchNorm2d(width)));
        parts.Add(("relu", nn.ReLU()));
        features = nn.Sequential(parts);
        FeatureCount = width;
        head = ClassifierHead(width, options);
        RegisterComponents();
        InitialiseConvolutions();
    }

    /// <summary>The architecture this network was built with.</summary>
    public override DenseNetOptions Options { get; }

    /// <summary>Width of the pooled feature vector.</summary>
    public override int FeatureCount { get; }

    /// <summary>The feature maps a transition layer keeps of <paramref name="width"/>: ⌊θ·m⌋, at least 1.</summary>
    internal static int TransitionWidth(int width, double compression) => Math.Max(1, (int)Math.Floor(compression * width));

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        return head.call(features.call(stem.call(input)));
    }

    /// <summary>Dense layers whose outputs are concatenated, channel-wise, to their input.</summary>
    private sealed class DenseBlock : nn.Module<Tensor, Tensor>
    {
        private readonly ModuleList<nn.Module<Tensor, Tensor>> layers;

        public DenseBlock(int inChannels, int count, int growth, int bottleneckFactor) : base(nameof(DenseBlock))
        {
            layers = new ModuleList<nn.Module<Tensor, Tensor>>();
            for (int i = 0; i < count; i++)
            {
                int m = inChannels + i * growth;
                layers.Add(nn.Sequential(
                    ("bn0", nn.BatchNorm2d(m)),
                    ("relu0", nn.ReLU()),
                    ("conv0", nn.Conv2d(m, bottleneckFactor * growth, 1, bias: false)),
                    ("bn1", nn.BatchNorm2d(bottleneckFactor * growth)),
                    ("relu1", nn.ReLU()),
                    ("conv1", nn.Conv2d(bottleneckFactor * growth, growth, 3, padding: 1, bias: false))));
            }
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            Tensor x = input;
            foreach (var layer in layers) x = torch.cat([x, layer.call(x)], 1);
            return x.MoveToOuterDisposeScope();
        }
    }
}
