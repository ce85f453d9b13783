namespace MLCardiac.Models;

/// <summary>
/// Architecture of a segmentation network (<see cref="SegmentationNetwork"/>): a <see cref="UNet2d"/> by default, or, with
/// <see cref="Kind"/>, an anisotropic <see cref="UNet3d"/> or a <see cref="VNet"/>. The defaults are sized for a CPU: 16 base
/// filters and 4 poolings at 128×128 (about 25 slices/s of 2D training on 2 cores).
/// </summary>
public sealed record UNetOptions
{
    /// <summary>Default number of filters of the first stage.</summary>
    public const int DefaultBaseFilters = 16;
    /// <summary>Default number of poolings (encoder stages after the first).</summary>
    public const int DefaultDepth = 4;

    /// <summary>The architecture (<c>model.type</c>); older model files, which do not name one, hold 2D U-Nets.</summary>
    public NetworkKind Kind { get; init; } = NetworkKind.UNet2d;
    /// <summary>
    /// 3D networks: the encoder stages that treat the stack as anisotropic, as nnU-Net plans thick-slice data — stages
    /// <c>s &lt; InPlaneStages</c> convolve in-plane only (kernels 1×3×3), and the down-samplings into stages
    /// <c>1..InPlaneStages</c> halve the in-plane size only. With 1.25 mm pixels and 8–10 mm slices the spacing ratio
    /// falls to ≤ 2 after two in-plane halvings, from where nnU-Net uses 3×3×3 kernels and isotropic pooling: hence the default
    /// 2. Ignored by 2D networks.
    /// </summary>
    public int InPlaneStages { get; init; } = DefaultInPlaneStages;
    /// <summary>
    /// 3D networks: the slices of one training patch, and of the window inference slides (Gaussian-weighted) through longer
    /// stacks; a multiple of <see cref="DepthMultiple"/>. 0 for 2D networks.
    /// </summary>
    public int PatchDepth { get; init; }
    /// <summary>Default of <see cref="InPlaneStages"/>.</summary>
    public const int DefaultInPlaneStages = 2;
    /// <summary>Default of <see cref="PatchDepth"/> for 3D networks: 8 slices, most of a short-axis stack of 8–10 mm slices.</summary>
    public const int DefaultPatchDepth = 8;

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

    /// <summary>True for the networks that see stacks of slices (<see cref="UNet3d"/>, <see cref="VNet"/>).</summary>
    public bool IsVolumetric => Kind != NetworkKind.UNet2d;

    /// <summary>3D networks: the through-plane kernel of stage <paramref name="stage"/>'s convolutions (1 or 3).</summary>
    public int ThroughPlaneKernel(int stage) => stage < InPlaneStages ? 1 : 3;

    /// <summary>3D networks: the through-plane stride of the down-sampling into stage <paramref name="stage"/> ≥ 1 (1 or 2).</summary>
    public int ThroughPlaneStride(int stage) => stage <= InPlaneStages ? 1 : 2;

    /// <summary>The stack depths a 3D network accepts are multiples of this (2 per through-plane down-sampling); 1 for 2D.</summary>
    public int DepthMultiple => IsVolumetric ? 1 << Math.Max(0, Depth - InPlaneStages) : 1;

    /// <summary>
    /// These options with the 3D defaults filled in where they are unset (<see cref="PatchDepth"/> of a 3D network: the
    /// smallest multiple of <see cref="DepthMultiple"/> ≥ <see cref="DefaultPatchDepth"/>); 2D options unchanged.
    /// </summary>
    public UNetOptions WithDefaults() => IsVolumetric && PatchDepth == 0
        ? this with { PatchDepth = (DefaultPatchDepth + DepthMultiple - 1) / DepthMultiple * DepthMultiple }
        : this;

    /// <summary>Checks every value and throws <see cref="ArgumentException"/> naming the one that is wrong (<see cref="Problem"/>).</summary>
    public void Validate()
    {
        if (Problem() is { } problem) throw new ArgumentException(problem.Message, problem.Parameter);
    }

    /// <summary>
    /// The first wrong value (the option's name and one sentence on it), or null when every value is valid: the one check
    /// behind <see cref="Validate"/> and behind the messages for pipeline files, plans and <c>train</c>'s options, which
    /// add where the value came from.
    /// </summary>
    public (string Parameter, string Message)? Problem()
    {
        if (InChannels < 1) return (nameof(InChannels), $"InChannels must be ≥ 1 (was {InChannels}).");
        if (Classes < 2) return (nameof(Classes), $"Classes must be ≥ 2 (was {Classes}).");
        if (BaseFilters < 1) return (nameof(BaseFilters), $"BaseFilters must be ≥ 1 (was {BaseFilters}).");
        if (MaxFilters < BaseFilters) return (nameof(MaxFilters), $"MaxFilters ({MaxFilters}) must be ≥ BaseFilters ({BaseFilters}).");
        if (Depth is < 1 or > 8) return (nameof(Depth), $"Depth must be in 1..8 (was {Depth}).");
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout)) return (nameof(Dropout), $"Dropout must be in [0, 1) (was {Dropout}).");
        if (!Enum.IsDefined(Kind)) return (nameof(Kind), $"Kind must be one of {string.Join(", ", NetworkKinds.Names)} (was {(int)Kind}).");
        if (IsVolumetric)
        {
            if (InPlaneStages < 0 || InPlaneStages > Depth) return (nameof(InPlaneStages), $"InPlaneStages must be in 0..Depth ({Depth}) (was {InPlaneStages}).");
            if (PatchDepth < 1 || PatchDepth % DepthMultiple != 0)
                return (nameof(PatchDepth), $"PatchDepth of a {Kind.Name()} with Depth {Depth} and InPlaneStages {InPlaneStages} must be a positive multiple of {DepthMultiple} (was {PatchDepth}).");
            if (Kind == NetworkKind.VNet && DeepSupervision) return (nameof(DeepSupervision), "The V-Net has no deep-supervision heads.");
        }
        else if (PatchDepth != 0) return (nameof(PatchDepth), $"PatchDepth is for 3D networks; a 2D U-Net has 0 (was {PatchDepth}).");
        if (Normalization == NormalizationKind.Group)
        {
            for (int s = 0; s <= Depth; s++)
                if (Groups < 1 || FiltersAt(s) % Groups != 0)
                    return (nameof(Groups), $"Groups ({Groups}) must divide the filters of every stage ({FiltersAt(s)} at stage {s}).");
        }
        return null;
    }
}
