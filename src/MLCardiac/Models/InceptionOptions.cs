namespace MLCardiac.Models;

/// <summary>
/// Architecture of an <see cref="InceptionClassifier"/> (GoogLeNet's inception modules, Szegedy et al. 2015, scaled
/// down for CPUs). A module of width w has branches 1×1 (w) | 1×1 (3w/2) → 3×3 (2w) | 1×1 (w/4) → 5×5 (w/2) |
/// 3×3 max-pool → 1×1 (w/2), 4w output maps: at w = 64 it is GoogLeNet's module 3a. GoogLeNet stacks (2, 5, 2) modules
/// in three stages; the defaults here — width 16, one module per stage — train in seconds on 2 CPU cores at 128×128.
/// </summary>
/// <remarks>
/// Keep <see cref="BaseWidth"/> a multiple of 16: the 3×3 and 5×5 convolutions then read a multiple of 8 channels
/// (3w/2 and w/4 at w ≥ 32; 4 at w = 16). Other counts meet a libtorch fault on the AMD development machine (see
/// <see cref="VendorClassifierNetwork"/>).
/// </remarks>
public sealed record InceptionOptions : ClassifierNetworkOptions
{
    /// <summary>Width w of the first stage's modules (stage s has w·2^s); the stem convolution has w filters.</summary>
    public int BaseWidth { get; init; } = 16;
    /// <summary>Inception modules per stage; a 3×3 stride-2 max-pool sits between stages ((2, 5, 2) is GoogLeNet).</summary>
    public IReadOnlyList<int> ModulesPerStage { get; init; } = new[] { 1, 1, 1 };

    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override ClassifierKind Kind => ClassifierKind.Inception;

    /// <inheritdoc />
    public override VendorClassifierNetwork CreateNetwork() => Numerics.OneDnnGuard.Check<VendorClassifierNetwork>(new InceptionClassifier(this));

    /// <summary>Checks every value and throws <see cref="ArgumentException"/> naming the one that is wrong.</summary>
    public override void Validate()
    {
        base.Validate();
        if (BaseWidth < 1) throw new ArgumentException($"BaseWidth must be ≥ 1 (was {BaseWidth}).", nameof(BaseWidth));
        if (ModulesPerStage is null || ModulesPerStage.Count == 0 || ModulesPerStage.Any(m => m < 1))
            throw new ArgumentException("ModulesPerStage needs at least one stage, each with ≥ 1 module.", nameof(ModulesPerStage));
    }
}
