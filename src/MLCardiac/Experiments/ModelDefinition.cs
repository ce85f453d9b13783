using MLCardiac.Models;

namespace MLCardiac.Experiments;

/// <summary>
/// The network of an arm (<c>model</c>): an architecture (<c>type</c>: a 2D U-Net, an anisotropic 3D U-Net or a V-Net), its
/// size, and whether it trains domain-adversarially (DANN: the same network plus gradient reversal and a vendor head).
/// </summary>
public sealed record ModelDefinition
{
    /// <summary>The <c>type</c> values: the architectures (<see cref="NetworkKinds.Names"/>), "unet" (= unet2d) and "dann" (= unet2d with <c>dann: true</c>).</summary>
    public static IReadOnlyList<string> Types { get; } = ["unet", .. NetworkKinds.Names, "dann"];

    /// <summary>"unet2d" (or "unet"), "unet3d", "vnet", or "dann" — a 2D U-Net trained adversarially (<c>type</c>).</summary>
    public string Type { get; init; } = "unet";
    /// <summary>Train domain-adversarially (<c>dann</c>), whatever the architecture; <c>type: "dann"</c> implies it.</summary>
    public bool Dann { get; init; }
    /// <summary>Filters of the first stage (<c>baseFilters</c>): the network width.</summary>
    public int BaseFilters { get; init; } = UNetOptions.DefaultBaseFilters;
    /// <summary>Poolings (<c>depth</c>); the slice size must be a multiple of 2^depth.</summary>
    public int Depth { get; init; } = UNetOptions.DefaultDepth;
    /// <summary>3D networks: slices per training patch and inference window (<c>patchDepth</c>; 0: <see cref="UNetOptions.WithDefaults"/>).</summary>
    public int PatchDepth { get; init; }
    /// <summary>3D networks: stages that convolve and pool in-plane only (<c>inPlaneStages</c>; <see cref="UNetOptions.InPlaneStages"/>).</summary>
    public int InPlaneStages { get; init; } = UNetOptions.DefaultInPlaneStages;
    /// <summary>Largest gradient-reversal weight λ of the DANN schedule (<c>maxLambda</c>; DANN only).</summary>
    public double MaxLambda { get; init; } = 0.3;

    /// <summary>True for a domain-adversarial model.</summary>
    public bool IsDann => Dann || Type == "dann";

    /// <summary>The architecture <see cref="Type"/> names.</summary>
    public NetworkKind Architecture => Type is "unet" or "dann" ? NetworkKind.UNet2d : NetworkKinds.Parse(Type, "model.type");

    /// <summary>The network's options (3D defaults filled in).</summary>
    public UNetOptions ToNetwork() => new UNetOptions
    {
        Kind = Architecture,
        BaseFilters = BaseFilters,
        Depth = Depth,
        InPlaneStages = InPlaneStages,
        PatchDepth = Architecture == NetworkKind.UNet2d ? 0 : PatchDepth,
    }.WithDefaults();
}
