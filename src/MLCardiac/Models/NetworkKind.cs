namespace MLCardiac.Models;

/// <summary>
/// The segmentation architectures (<c>model.type</c> in a pipeline file, <c>--model</c> on the command line). All share
/// <see cref="UNetOptions"/> and the <see cref="SegmentationNetwork"/> surface, so every stage after training (inference, ONNX,
/// ensembles, quality control) takes any of them.
/// </summary>
public enum NetworkKind
{
    /// <summary>2D U-Net on single slices (<see cref="UNet2d"/>): nnU-Net's <c>2d</c> configuration.</summary>
    UNet2d,
    /// <summary>Anisotropic 3D U-Net on stacks of slices (<see cref="UNet3d"/>): nnU-Net's <c>3d_fullres</c> design for thick slices.</summary>
    UNet3d,
    /// <summary>V-Net (<see cref="VNet"/>): residual 3D stages, PReLU, strided-convolution down-sampling (Milletari et al. 2016).</summary>
    VNet,
}

/// <summary>Names of <see cref="NetworkKind"/> as pipeline files and the command line write them.</summary>
public static class NetworkKinds
{
    /// <summary>The accepted names, in the enum's order: <c>unet2d</c>, <c>unet3d</c>, <c>vnet</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetNames<NetworkKind>().Select(n => n.ToLowerInvariant())];

    /// <summary>The name of <paramref name="kind"/> (<c>unet2d</c>, <c>unet3d</c>, <c>vnet</c>).</summary>
    public static string Name(this NetworkKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Parses a name (case-insensitive); null when it names no architecture.</summary>
    public static NetworkKind? TryParse(string? name) =>
        name is not null && Enum.TryParse(name, ignoreCase: true, out NetworkKind kind) && Enum.IsDefined(kind) && !int.TryParse(name, out _) ? kind : null;

    /// <summary>Parses a name or throws <see cref="MLCardiacException"/> listing the valid ones.</summary>
    public static NetworkKind Parse(string name, string where) =>
        TryParse(name) ?? throw new MLCardiacException($"{where}: unknown model type '{name}'; valid types: {string.Join(", ", Names)}.");
}
