namespace MLCardiac.Models;

/// <summary>
/// Architecture of a <see cref="DenseNetClassifier"/> (DenseNet-BC, Huang et al. 2017, scaled down for CPUs).
/// DenseNet-121 is <see cref="GrowthRate"/> 32, <see cref="BlockSizes"/> (6, 12, 24, 16), <see cref="InitialWidth"/> 64,
/// <see cref="BottleneckFactor"/> 4 and <see cref="Compression"/> 0.5; the defaults here — growth 8, blocks (2, 2, 2, 2),
/// initial width 16 — keep its four blocks, bottlenecks and compression at about 1/4 of its growth and 1/7 of its
/// depth, so that it trains in seconds on 2 CPU cores at 128×128.
/// </summary>
/// <remarks>
/// Keep the growth rate even: every 3×3 convolution reads the bottleneck's 4k maps, then a multiple of 8 channels.
/// Other counts above 8 meet a libtorch fault on the AMD development machine (see <see cref="VendorClassifierNetwork"/>).
/// </remarks>
public sealed record DenseNetOptions : ClassifierNetworkOptions
{
    /// <summary>Feature maps each dense layer adds, k (32 in DenseNet-121; 12 in the paper's CIFAR networks).</summary>
    public int GrowthRate { get; init; } = 8;
    /// <summary>Dense layers per block; a transition layer follows every block but the last ((6, 12, 24, 16) is DenseNet-121).</summary>
    public IReadOnlyList<int> BlockSizes { get; init; } = new[] { 2, 2, 2, 2 };
    /// <summary>Filters of the stem convolution (2k in the paper); 0 means 2·<see cref="GrowthRate"/>.</summary>
    public int InitialWidth { get; init; }
    /// <summary>A dense layer's 1×1 bottleneck has BottleneckFactor·k filters (4 in the paper).</summary>
    public int BottleneckFactor { get; init; } = 4;
    /// <summary>A transition layer keeps ⌊Compression·m⌋ of its m feature maps, θ in (0, 1] (0.5 in DenseNet-BC).</summary>
    public double Compression { get; init; } = 0.5;

    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override ClassifierKind Kind => ClassifierKind.DenseNet;

    /// <summary>The stem's filters: <see cref="InitialWidth"/>, or 2k when it is 0.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int StemWidth => InitialWidth > 0 ? InitialWidth : 2 * GrowthRate;

    /// <inheritdoc />
    public override VendorClassifierNetwork CreateNetwork() => Numerics.OneDnnGuard.Check<VendorClassifierNetwork>(new DenseNetClassifier(this));

    /// <summary>Checks every value and throws <see cref="ArgumentException"/> naming the one that is wrong.</summary>
    public override void Validate()
    {
        base.Validate();
        if (GrowthRate < 1) throw new ArgumentException($"GrowthRate must be ≥ 1 (was {GrowthRate}).", nameof(GrowthRate));
        if (BlockSizes is null || BlockSizes.Count == 0 || BlockSizes.Any(b => b < 1))
            throw new ArgumentException("BlockSizes needs at least one block, each with ≥ 1 layer.", nameof(BlockSizes));
        if (InitialWidth < 0) throw new ArgumentException($"InitialWidth must be ≥ 0 (was {InitialWidth}; 0 means 2·GrowthRate).", nameof(InitialWidth));
        if (BottleneckFactor < 1) throw new ArgumentException($"BottleneckFactor must be ≥ 1 (was {BottleneckFactor}).", nameof(BottleneckFactor));
        if (!(Compression is > 0 and <= 1)) throw new ArgumentException($"Compression must be in (0, 1] (was {Compression}).", nameof(Compression));
    }
}
