namespace MLCardiac.Server.Contracts;

/// <summary>Geometry of an uploaded image.</summary>
/// <param name="Shape">Voxels along x, y, z (and frames for a cine).</param>
/// <param name="SpacingMm">Voxel size along x, y, z in mm.</param>
/// <param name="Frames">Number of frames (1 for a 3D image).</param>
/// <param name="Bytes">Size of the upload in bytes.</param>
public sealed record ImageInfo(IReadOnlyList<int> Shape, IReadOnlyList<double> SpacingMm, int Frames, long Bytes);
