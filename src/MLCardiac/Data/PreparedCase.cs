using MLCardiac.Preprocessing;

namespace MLCardiac.Data;

/// <summary>One record after preprocessing: its slices, labels (if any) and the geometry to map predictions back.</summary>
/// <param name="Record">The source record.</param>
/// <param name="Geometry">What preprocessing did to the grid.</param>
/// <param name="Images">Normalised slices [Z, Size, Size].</param>
/// <param name="Labels">Label slices [Z, Size, Size], or null for an unlabeled record.</param>
public sealed record PreparedCase(CaseRecord Record, SliceGeometry Geometry, float[] Images, byte[]? Labels)
{
    /// <summary>Number of slices.</summary>
    public int Slices => Geometry.SizeZ;
}
