using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// A ResNet (He et al. 2016, the 18-layer basic-block layout) that classifies a slice's vendor.
/// Input [N, InChannels, H, W]; output logits [N, Classes]. Batch normalisation, as in the paper.
/// </summary>
/// <remarks>
/// The stem is a 3×3 stride-2 convolution rather than ImageNet's 7×7 + max-pool: MR slices of 128×128 are
/// small and the texture that tells vendors apart (noise, ringing, blur) lives at the finest scale.
/// </remarks>
public sealed class ResNetClassifier : VendorClassifierNetwork
{
    private readonly Sequential stem;
    private readonly Sequential stages;
    private readonly Sequential head;

    /// <summary>Creates the network; throws <see cref="ArgumentException"/> for invalid options.</summary>
    public ResNetClassifier(ResNetOptions options) : base(nameof(ResNetClassifier))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        int w = options.BaseWidth;
        stem = ClassifierStem(options.InChannels, w);

        var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
        int inCh = w;
        for (int s = 0; s < options.BlocksPerStage.Count; s++)
        {
            int outCh = w << s;
            for (int b = 0; b < options.BlocksPerStage[s]; b++)
            {
                blocks.Add(($"s{s}b{b}", new BasicBlock(inCh, outCh, stride: b == 0 && s > 0 ? 2 : 1)));
                inCh = outCh;
            }
        }
        stages = nn.Sequential(blocks);
        FeatureCount = inCh;
        head = ClassifierHead(inCh, options);
        RegisterComponents();
        InitialiseConvolutions();
    }

    /// <summary>The architecture this network was built with.</summary>
    public override ResNetOptions Options { get; }

    /// <summary>Width of the pooled feature vector.</summary>
    public override int FeatureCount { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        return head.call(stages.call(stem.call(input)));
    }

    /// <summary>Two 3×3 convolutions with a residual connection (1×1 projection when the shape changes).</summary>
    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential body;
        private readonly nn.Module<Tensor, Tensor>? shortcut;
        private readonly ReLU relu;
        // The residual sum's alpha, owned for the block's life: `a + b` would pass a temporary Scalar that a garbage
        // collection can finalise while libtorch reads it (CI saw "toFloat: Expected false to be true" here; see LeakyRelu).
        private readonly Scalar _one = 1.0.ToScalar();

        public BasicBlock(int inCh, int outCh, int stride) : base(nameof(BasicBlock))
        {
            body = nn.Sequential(
                ("conv0", nn.Conv2d(inCh, outCh, 3, stride: stride, padding: 1, bias: false)),
                ("bn0", nn.BatchNorm2d(outCh)),
                ("relu", nn.ReLU()),
                ("conv1", nn.Conv2d(outCh, outCh, 3, padding: 1, bias: false)),
                ("bn1", nn.BatchNorm2d(outCh)));
            if (stride != 1 || inCh != outCh)
                shortcut = nn.Sequential(
                    ("conv", nn.Conv2d(inCh, outCh, 1, stride: stride, bias: false)),
                    ("bn", nn.BatchNorm2d(outCh)));
            relu = nn.ReLU();
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            Tensor identity = shortcut is null ? input : shortcut.call(input);
            return relu.call(body.call(input).add(identity, _one)).MoveToOuterDisposeScope();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _one.Dispose();
            base.Dispose(disposing);
        }
    }
}
