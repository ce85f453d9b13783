namespace MLCardiac.Experiments;

/// <summary>The network of an arm (<c>model</c>): a U-Net, or a DANN (the same U-Net plus gradient reversal and a vendor head).</summary>
public sealed record ModelDefinition
{
    /// <summary>"unet" or "dann" (<c>type</c>).</summary>
    public string Type { get; init; } = "unet";
    /// <summary>Filters of the first U-Net stage (<c>baseFilters</c>): the network width.</summary>
    public int BaseFilters { get; init; } = Models.UNetOptions.DefaultBaseFilters;
    /// <summary>U-Net poolings (<c>depth</c>); the slice size must be a multiple of 2^depth.</summary>
    public int Depth { get; init; } = Models.UNetOptions.DefaultDepth;
    /// <summary>Largest gradient-reversal weight λ of the DANN schedule (<c>maxLambda</c>; DANN only).</summary>
    public double MaxLambda { get; init; } = 0.3;

    /// <summary>True for a domain-adversarial model.</summary>
    public bool IsDann => Type == "dann";
}
