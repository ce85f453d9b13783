namespace MLCardiac.Models;

/// <summary>
/// Architecture of a <see cref="UNet2d"/>. The defaults are sized for a CPU: 16 base filters and 4 poolings
/// at 128×128 (about 25 slices/s of training on 2 cores).
/// </summary>
public sealed record UNetOptions
{
    /// <summary>Default number of filters of the first stage.</summary>
    public const int DefaultBaseFilters = 16;
    /// <summary>Default number of poolings (encoder stages after the first).</summary>
    public const int DefaultDepth = 4;

    /// <summary>Input channels (1 for a magnitude MR slice).</summary>
    public int InChannels { get; init; } = 1;
    /// <summary>Output classes including background (4: background, LV, MYO, RV).</summary>
    public int Classes { get; init; } = 4;
    /// <summary>Filters of the first stage; each deeper stage doubles them up to <see cref="MaxFilters"/>.</summary>
    public int BaseFilters { get; init; } = DefaultBaseFilters;
    /// <summary>Upper bound on the filters of any stage.</summary>
    public int MaxFilters { get; init; } = 320;
    /// <summary>Number of down-samplings by 2; the input size must be divisible by 2^Depth.</summary>
    public int Depth { get; init; } = DefaultDepth;
    /// <summary>Normalisation after each convolution.</summary>
    public NormalizationKind Normalization { get; init; } = NormalizationKind.Instance;
    /// <summary>Groups for <see cref="NormalizationKind.Group"/> (must divide every stage's filter count).</summary>
    public int Groups { get; init; } = 8;
    /// <summary>Non-linearity after each normalisation.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.LeakyReLU;
    /// <summary>Channel dropout probability in the decoder and bottleneck, in [0, 1); 0 disables it.</summary>
    public double Dropout { get; init; }
    /// <summary>When true, <see cref="UNet2d.ForwardAll"/> also returns logits at the coarser decoder levels.</summary>
    public bool DeepSupervision { get; init; }

    /// <summary>Filters of encoder stage <paramref name="stage"/> (0 = full resolution).</summary>
    public int FiltersAt(int stage) => Math.Min(BaseFilters << stage, MaxFilters);

    /// <summary>Checks every value and throws <see cref="ArgumentException"/> naming the one that is wrong.</summary>
    public void Validate()
    {
        if (InChannels < 1) throw new ArgumentException($"InChannels must be ≥ 1 (was {InChannels}).", nameof(InChannels));
        if (Classes < 2) throw new ArgumentException($"Classes must be ≥ 2 (was {Classes}).", nameof(Classes));
        if (BaseFilters < 1) throw new ArgumentException($"BaseFilters must be ≥ 1 (was {BaseFilters}).", nameof(BaseFilters));
        if (MaxFilters < BaseFilters) throw new ArgumentException($"MaxFilters ({MaxFilters}) must be ≥ BaseFilters ({BaseFilters}).", nameof(MaxFilters));
        if (Depth is < 1 or > 8) throw new ArgumentException($"Depth must be in 1..8 (was {Depth}).", nameof(Depth));
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout)) throw new ArgumentException($"Dropout must be in [0, 1) (was {Dropout}).", nameof(Dropout));
        if (Normalization == NormalizationKind.Group)
        {
            for (int s = 0; s <= Depth; s++)
                if (Groups < 1 || FiltersAt(s) % Groups != 0)
                    throw new ArgumentException($"Groups ({Groups}) must divide the filters of every stage ({FiltersAt(s)} at stage {s}).", nameof(Groups));
        }
    }
}
