namespace MLCardiac.Imaging;

/// <summary>Voxel spacing along the three spatial axes of a <see cref="Volume"/>, in millimetres.</summary>
/// <param name="X">Distance between voxel centres along the first (fastest) axis, in mm.</param>
/// <param name="Y">Distance between voxel centres along the second axis, in mm.</param>
/// <param name="Z">Distance between slice centres along the third axis, in mm.</param>
public readonly record struct Spacing(double X, double Y, double Z);
