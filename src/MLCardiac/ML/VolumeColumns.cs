using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Imaging;

namespace MLCardiac.ML;

/// <summary>Reads a row's <c>Image</c>, <c>ImageShape</c> and <c>SpacingMm</c> back into a <see cref="Volume"/>.</summary>
internal static class VolumeColumns
{
    public static void Require(DataViewSchema schema, string who)
    {
        ColumnAccess.Require(schema, CardiacColumnNames.Image, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Single), "a vector of Single", who);
        ColumnAccess.Require(schema, CardiacColumnNames.ImageShape, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Int32), "a vector of 3 Int32 (X, Y, Z)", who);
        ColumnAccess.Require(schema, CardiacColumnNames.SpacingMm, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Single), "a vector of 3 Single (mm)", who);
    }

    public static void Require(SchemaShape shape, string who)
    {
        ColumnAccess.Require(shape, CardiacColumnNames.Image, c => ColumnAccess.IsVectorOf(c, NumberDataViewType.Single), "a vector of Single", who);
        ColumnAccess.Require(shape, CardiacColumnNames.ImageShape, c => ColumnAccess.IsVectorOf(c, NumberDataViewType.Int32), "a vector of 3 Int32 (X, Y, Z)", who);
        ColumnAccess.Require(shape, CardiacColumnNames.SpacingMm, c => ColumnAccess.IsVectorOf(c, NumberDataViewType.Single), "a vector of 3 Single (mm)", who);
    }

    public static readonly string[] Names = [CardiacColumnNames.Image, CardiacColumnNames.ImageShape, CardiacColumnNames.SpacingMm];

    /// <summary>A reader of the current row's volume; throws <see cref="MLCardiacException"/> when shape, spacing and voxels disagree.</summary>
    public static Func<Volume> Reader(DataViewRow row)
    {
        var image = ColumnAccess.Vector<float>(row, CardiacColumnNames.Image);
        var shape = ColumnAccess.Vector<int>(row, CardiacColumnNames.ImageShape);
        var spacing = ColumnAccess.Vector<float>(row, CardiacColumnNames.SpacingMm);
        return () =>
        {
            int[] s = shape();
            float[] mm = spacing();
            float[] voxels = image();
            if (s.Length != 3 || s.Any(n => n < 1))
                throw new MLCardiacException($"Column '{CardiacColumnNames.ImageShape}' must hold 3 positive sizes (X, Y, Z); got [{string.Join(", ", s)}].");
            if (mm.Length != 3 || mm.Any(v => !(v > 0) || float.IsInfinity(v)))
                throw new MLCardiacException($"Column '{CardiacColumnNames.SpacingMm}' must hold 3 positive spacings in mm; got [{string.Join(", ", mm)}].");
            if (voxels.Length != (long)s[0] * s[1] * s[2])
                throw new MLCardiacException($"Column '{CardiacColumnNames.Image}' holds {voxels.Length} voxels; '{CardiacColumnNames.ImageShape}' {s[0]}×{s[1]}×{s[2]} needs {(long)s[0] * s[1] * s[2]}.");
            return new Volume(voxels, s, new Spacing(mm[0], mm[1], mm[2]));
        };
    }
}
