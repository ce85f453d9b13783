using MLCardiac.Inference;

namespace MLCardiac.Tests.Inference;

[TestClass]
public sealed class LargestComponentTests
{
    [TestMethod]
    public void Apply_TwoBlobsAndARing_KeepsTheLargestBlobAndTheWholeRing()
    {
        int nx = 20, ny = 20, nz = 3;
        var labels = new float[nx * ny * nz];
        void Set(int x, int y, int z, int v) => labels[(z * ny + y) * nx + x] = v;
        for (int z = 0; z < 3; z++)
            for (int y = 5; y < 15; y++)
                for (int x = 5; x < 15; x++)
                {
                    double r = Math.Sqrt((x - 9.5) * (x - 9.5) + (y - 9.5) * (y - 9.5));
                    if (r < 2.5) Set(x, y, z, 1);           // LV, main blob
                    else if (r < 4.5) Set(x, y, z, 2);      // myocardial ring around it
                }
        Set(1, 1, 1, 1);                                   // a stray LV voxel far away
        Set(18, 18, 0, 2);                                 // a stray MYO voxel
        Set(17, 2, 2, 3); Set(18, 3, 2, 3);                // RV: two voxels touching diagonally (one component)
        int lvBefore = labels.Count(v => v == 1), myoBefore = labels.Count(v => v == 2);

        int removed = LargestComponent.Apply(labels, nx, ny, nz);

        Assert.AreEqual(2, removed);
        Assert.AreEqual(0f, labels[(1 * ny + 1) * nx + 1]);
        Assert.AreEqual(0f, labels[(0 * ny + 18) * nx + 18]);
        Assert.AreEqual(lvBefore - 1, labels.Count(v => v == 1));
        Assert.AreEqual(myoBefore - 1, labels.Count(v => v == 2), "the ring is one component and stays whole");
        Assert.AreEqual(2, labels.Count(v => v == 3), "diagonal in-plane neighbours are connected");
    }
}
