using MLCardiac.Imaging;

namespace MLCardiac.Preprocessing;

/// <summary>
/// What <see cref="Preprocessor"/> did to one volume's grid, so that a prediction made on the preprocessed
/// slices maps back onto the original voxels: the original in-plane size, spacing and affine, the
/// resampled size, and where the square crop sits in the resampled grid (negative offsets mean padding).
/// </summary>
/// <param name="SizeX">Original columns (x).</param>
/// <param name="SizeY">Original rows (y).</param>
/// <param name="SizeZ">Slices.</param>
/// <param name="SpacingMm">Original voxel spacing.</param>
/// <param name="VoxelToWorld">Original affine.</param>
/// <param name="ResampledX">Columns after in-plane resampling.</param>
/// <param name="ResampledY">Rows after in-plane resampling.</param>
/// <param name="OffsetX">Column of the resampled grid at output column 0.</param>
/// <param name="OffsetY">Row of the resampled grid at output row 0.</param>
/// <param name="Size">Side of the square output slices.</param>
public sealed record SliceGeometry(
    int SizeX, int SizeY, int SizeZ, Spacing SpacingMm, Affine VoxelToWorld,
    int ResampledX, int ResampledY, int OffsetX, int OffsetY, int Size)
{
    /// <summary>Effective in-plane spacing of the output pixels (x, y), in mm.</summary>
    public (double X, double Y) OutputSpacingMm => (SpacingMm.X * SizeX / ResampledX, SpacingMm.Y * SizeY / ResampledY);
}
