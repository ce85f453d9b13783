namespace MLCardiac.Imaging;

/// <summary>Safety limits for <see cref="NiftiReader"/>: the defence against decompression bombs and absurd headers.</summary>
public sealed class NiftiReadOptions
{
    /// <summary>Default <see cref="MaxDecompressedBytes"/>: 2 GiB.</summary>
    public const long DefaultMaxDecompressedBytes = 2L << 30;

    /// <summary>Default <see cref="MaxVoxelCount"/>: 2²⁹ voxels (2 GiB of float32).</summary>
    public const long DefaultMaxVoxelCount = 1L << 29;

    /// <summary>
    /// Most bytes a .nii.gz may decompress to (header, extensions and voxel data); a file that needs more is refused
    /// before anything is allocated. Range 1..∞; default <see cref="DefaultMaxDecompressedBytes"/>.
    /// </summary>
    public long MaxDecompressedBytes { get; init; } = DefaultMaxDecompressedBytes;

    /// <summary>
    /// Most voxels (all frames) a file may declare; at most <see cref="Array.MaxLength"/>. Default <see cref="DefaultMaxVoxelCount"/>.
    /// </summary>
    public long MaxVoxelCount { get; init; } = DefaultMaxVoxelCount;

    /// <summary>The defaults.</summary>
    public static NiftiReadOptions Default { get; } = new();
}
