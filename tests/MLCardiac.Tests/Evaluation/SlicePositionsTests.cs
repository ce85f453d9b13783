using MLCardiac.Evaluation;

namespace MLCardiac.Tests.Evaluation;

/// <summary>Base, mid and apex from the reference: thirds of the heart's slices, the base at the wider LV end, whichever way the stack runs.</summary>
[TestClass]
public sealed class SlicePositionsTests
{
    private const int N = 8;

    /// <summary>A stack of <paramref name="lvRadii"/>.Length slices, each an LV disc of that radius (0: no heart) with RV pixels beside it.</summary>
    private static byte[] Stack(int[] lvRadii)
    {
        var v = new byte[N * N * lvRadii.Length];
        for (int z = 0; z < lvRadii.Length; z++)
            for (int y = 0; y < N; y++)
                for (int x = 0; x < N; x++)
                {
                    int r = lvRadii[z];
                    if (r == 0) continue;
                    if ((x - 3) * (x - 3) + (y - 3) * (y - 3) <= r * r) v[z * N * N + y * N + x] = 1;
                    else if (x == 7 && y < 3) v[z * N * N + y * N + x] = 3;
                }
        return v;
    }

    [TestMethod]
    public void Assign_BaseAtTheWiderLvEnd_WhicheverWayTheStackRuns()
    {
        int[] baseFirst = [0, 3, 3, 3, 2, 2, 2, 1, 1, 0];
        CollectionAssert.AreEqual(new[] { 0, 0, 0, 0, 1, 1, 1, 2, 2, 2 }, SlicePositions.Assign(Stack(baseFirst), N, N, baseFirst.Length));

        int[] apexFirst = [.. baseFirst.Reverse()];
        CollectionAssert.AreEqual(new[] { 2, 2, 2, 1, 1, 1, 0, 0, 0, 0 }, SlicePositions.Assign(Stack(apexFirst), N, N, apexFirst.Length));

        Assert.IsNull(SlicePositions.Assign(new byte[N * N * 3], N, N, 3), "no reference heart: no parts");
    }

    [TestMethod]
    public void Dice_PerPart_ChargesAnErrorWhereItIs()
    {
        int[] radii = [3, 3, 3, 2, 2, 2, 1, 1, 1];
        byte[] truth = Stack(radii);
        byte[] predicted = (byte[])truth.Clone();
        // Miss the RV on the first (basal) slice and the LV on the last (apical) slice.
        for (int i = 0; i < N * N; i++) if (predicted[i] == 3) predicted[i] = 0;
        int last = (radii.Length - 1) * N * N;
        for (int i = last; i < last + N * N; i++) if (predicted[i] == 1) predicted[i] = 0;

        double[][] dice = SlicePositions.Dice(predicted, truth, N, N, radii.Length)!;

        Assert.AreEqual(1.0, dice[0][0], 1e-12, "base LV untouched");
        Assert.AreEqual(2.0 * 6 / (6 + 9), dice[0][2], 1e-12, "base RV: one slice of three missed (3 pixels each)");
        Assert.AreEqual(1.0, dice[1][0], 1e-12);
        Assert.AreEqual(1.0, dice[1][2], 1e-12, "mid RV untouched");
        Assert.IsTrue(dice[2][0] < 1, "apex LV lost one slice");
        Assert.AreEqual(1.0, dice[2][1], 1e-12, "MYO in neither: 1, as OverlapMetrics counts it");
    }
}
