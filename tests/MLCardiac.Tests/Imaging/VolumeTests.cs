using MLCardiac.Imaging;

namespace MLCardiac.Tests.Imaging;

/// <summary>Volume: views share memory, indexing is NIfTI order, canonical reorientation keeps world positions.</summary>
[TestClass]
public sealed class VolumeTests
{
    [TestMethod]
    public void FrameAndSlice_WriteThroughView_ChangesVolume()
    {
        var volume = new Volume(new float[4 * 3 * 2 * 5], [4, 3, 2, 5], new Spacing(1, 1, 1));

        volume.Frame(3).Span[5] = 7f;
        volume.Slice(1, 4).Span[2] = 9f;

        Assert.AreEqual(7f, volume[1, 1, 0, 3]);
        Assert.AreEqual(9f, volume.At(2, 0, 1, 4));
        Assert.AreEqual(7f, volume.Data[(3 * 24) + 5]);
    }

    [TestMethod]
    public void Slice_IsContiguousInNiftiOrder()
    {
        float[] data = TestFiles.Ramp(4 * 3 * 2 * 2);
        var volume = new Volume(data, [4, 3, 2, 2], new Spacing(1, 1, 1));

        Memory<float> slice = volume.Slice(1, 1);

        Assert.AreEqual(12, slice.Length);
        Assert.AreEqual(volume[0, 0, 1, 1], slice.Span[0]);
        Assert.AreEqual(volume[3, 2, 1, 1], slice.Span[11]);
    }

    [TestMethod]
    public void Shape_SingleFrame_HasThreeEntries()
    {
        CollectionAssert.AreEqual(new[] { 4, 3, 2 }, new Volume(new float[24], [4, 3, 2, 1], new Spacing(1, 1, 1)).Shape);
        CollectionAssert.AreEqual(new[] { 4, 3, 2, 2 }, new Volume(new float[48], [4, 3, 2, 2], new Spacing(1, 1, 1)).Shape);
    }

    [TestMethod]
    public void Constructor_DataLengthDisagreesWithShape_Throws() =>
        Assert.ThrowsExactly<ArgumentException>(() => new Volume(new float[23], [4, 3, 2], new Spacing(1, 1, 1)));

    [TestMethod]
    public void Indexer_OutsideShape_ThrowsArgumentOutOfRange()
    {
        var volume = new Volume(new float[24], [4, 3, 2], new Spacing(1, 1, 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => volume[4, 0, 0]);
    }

    [TestMethod]
    [DataRow(new[] { -1.0, -1.0, 1.0 }, "LPS")]
    [DataRow(new[] { 1.0, 1.0, 1.0 }, "RAS")]
    [DataRow(new[] { -2.0, 1.0, -3.0 }, "LAI")]
    public void Orientation_DiagonalAffine_GivesAxisCodes(double[] diagonal, string expected)
    {
        var affine = new Affine([diagonal[0], 0, 0, 0, 0, diagonal[1], 0, 0, 0, 0, diagonal[2], 0, 0, 0, 0, 1]);
        Assert.AreEqual(expected, new Volume(new float[24], [4, 3, 2], new Spacing(1, 1, 1), affine).Orientation);
    }

    [TestMethod]
    public void ToCanonical_LpsTransposed_KeepsEveryVoxelAtItsWorldPosition()
    {
        // Voxel x runs along -A, y along -R, z along S (a PLS-like, transposed and flipped layout).
        var affine = new Affine([0, -0.9, 0, 10, -1.1, 0, 0, 20, 0, 0, 3, -5, 0, 0, 0, 1]);
        var volume = new Volume(TestFiles.Ramp(4 * 3 * 2 * 2), [4, 3, 2, 2], new Spacing(1.1, 0.9, 3), affine, 0.05);

        Volume canonical = volume.ToCanonical();

        Assert.AreEqual("RAS", canonical.Orientation);
        CollectionAssert.AreEqual(new[] { 3, 4, 2, 2 }, canonical.Shape);
        Assert.AreEqual(new Spacing(0.9, 1.1, 3), canonical.SpacingMm);
        Assert.AreEqual(0.05, canonical.TimeStepS);
        for (int t = 0; t < 2; t++)
        {
            for (int z = 0; z < 2; z++)
            {
                for (int y = 0; y < 3; y++)
                {
                    for (int x = 0; x < 4; x++)
                    {
                        (double wx, double wy, double wz) = affine.Apply(x, y, z);
                        (int cx, int cy, int cz) = Invert(canonical.VoxelToWorld, wx, wy, wz);
                        Assert.AreEqual(volume[x, y, z, t], canonical[cx, cy, cz, t], $"voxel ({x},{y},{z},{t})");
                    }
                }
            }
        }
    }

    [TestMethod]
    public void ToCanonical_AlreadyRas_ReturnsSameInstance()
    {
        var volume = new Volume(new float[24], [4, 3, 2], new Spacing(1, 1, 1));
        Assert.AreSame(volume, volume.ToCanonical());
    }

    private static (int X, int Y, int Z) Invert(Affine canonical, double wx, double wy, double wz)
    {
        // The canonical affine is diagonal (positive) for this test: solve each axis directly.
        return ((int)Math.Round((wx - canonical[0, 3]) / canonical[0, 0]),
                (int)Math.Round((wy - canonical[1, 3]) / canonical[1, 1]),
                (int)Math.Round((wz - canonical[2, 3]) / canonical[2, 2]));
    }
}
