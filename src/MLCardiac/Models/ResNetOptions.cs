namespace MLCardiac.Models;

/// <summary>Architecture of a <see cref="ResNetClassifier"/> (ResNet-18 layout, width configurable for CPUs).</summary>
public sealed record ResNetOptions
{
    /// <summary>Input channels.</summary>
    public int InChannels { get; init; } = 1;
    /// <summary>Output classes (vendors).</summary>
    public int Classes { get; init; } = 4;
    /// <summary>Filters of the first stage (64 in He et al.; 16 keeps it fast on 2 CPU cores).</summary>
    public int BaseWidth { get; init; } = 16;
    /// <summary>Basic blocks per stage (2, 2, 2, 2 is ResNet-18).</summary>
    public IReadOnlyList<int> BlocksPerStage { get; init; } = new[] { 2, 2, 2, 2 };
    /// <summary>Dropout before the final linear layer, in [0, 1).</summary>
    public double Dropout { get; init; }

    /// <summary>Checks every value and throws <see cref="ArgumentException"/> naming the one that is wrong.</summary>
    public void Validate()
    {
        if (InChannels < 1) throw new ArgumentException($"InChannels must be ≥ 1 (was {InChannels}).", nameof(InChannels));
        if (Classes < 2) throw new ArgumentException($"Classes must be ≥ 2 (was {Classes}).", nameof(Classes));
        if (BaseWidth < 1) throw new ArgumentException($"BaseWidth must be ≥ 1 (was {BaseWidth}).", nameof(BaseWidth));
        if (BlocksPerStage is null || BlocksPerStage.Count == 0 || BlocksPerStage.Any(b => b < 1))
            throw new ArgumentException("BlocksPerStage needs at least one stage, each with ≥ 1 block.", nameof(BlocksPerStage));
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout)) throw new ArgumentException($"Dropout must be in [0, 1) (was {Dropout}).", nameof(Dropout));
    }
}
