namespace MLCardiac.Models;

/// <summary>Architecture of a <see cref="ResNetClassifier"/> (ResNet-18 layout, width configurable for CPUs).</summary>
public sealed record ResNetOptions : ClassifierNetworkOptions
{
    /// <summary>Filters of the first stage (64 in He et al.; 16 keeps it fast on 2 CPU cores).</summary>
    public int BaseWidth { get; init; } = 16;
    /// <summary>Basic blocks per stage (2, 2, 2, 2 is ResNet-18).</summary>
    public IReadOnlyList<int> BlocksPerStage { get; init; } = new[] { 2, 2, 2, 2 };

    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override ClassifierKind Kind => ClassifierKind.ResNet;

    /// <inheritdoc />
    public override VendorClassifierNetwork CreateNetwork() => Numerics.OneDnnGuard.Check<VendorClassifierNetwork>(new ResNetClassifier(this));

    /// <summary>Checks every value and throws <see cref="ArgumentException"/> naming the one that is wrong.</summary>
    public override void Validate()
    {
        base.Validate();
        if (BaseWidth < 1) throw new ArgumentException($"BaseWidth must be ≥ 1 (was {BaseWidth}).", nameof(BaseWidth));
        if (BlocksPerStage is null || BlocksPerStage.Count == 0 || BlocksPerStage.Any(b => b < 1))
            throw new ArgumentException("BlocksPerStage needs at least one stage, each with ≥ 1 block.", nameof(BlocksPerStage));
    }
}
