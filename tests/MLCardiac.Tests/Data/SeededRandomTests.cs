using MLCardiac.Data.Synthetic;

namespace MLCardiac.Tests.Data;

[TestClass]
public sealed class SeededRandomTests
{
    [TestMethod]
    public void NextUInt64_SameSeed_SameSequence()
    {
        var a = new SeededRandom(42);
        var b = new SeededRandom(42);
        for (int i = 0; i < 100; i++)
        {
            Assert.AreEqual(a.NextUInt64(), b.NextUInt64());
        }
    }

    [TestMethod]
    public void ForSubject_DifferentVendorOrIndex_DifferentStreams()
    {
        ulong a = SeededRandom.ForSubject(1, "A", 0).NextUInt64();
        Assert.AreEqual(a, SeededRandom.ForSubject(1, "A", 0).NextUInt64());
        Assert.AreNotEqual(a, SeededRandom.ForSubject(1, "B", 0).NextUInt64());
        Assert.AreNotEqual(a, SeededRandom.ForSubject(1, "A", 1).NextUInt64());
        Assert.AreNotEqual(a, SeededRandom.ForSubject(2, "A", 0).NextUInt64());
    }

    [TestMethod]
    public void NextInt_Range_StaysWithinBoundsAndHitsBoth()
    {
        var r = new SeededRandom(3);
        var seen = new HashSet<int>();
        for (int i = 0; i < 1000; i++)
        {
            int v = r.NextInt(-2, 2);
            Assert.IsTrue(v is >= -2 and <= 2);
            seen.Add(v);
        }
        Assert.HasCount(5, seen);
    }

    [TestMethod]
    public void Normal_ManyDraws_HasUnitVariance()
    {
        var r = new SeededRandom(4);
        double[] x = [.. Enumerable.Range(0, 20000).Select(_ => r.Normal())];
        double mean = x.Average();
        double variance = x.Select(v => (v - mean) * (v - mean)).Average();
        Assert.AreEqual(0, mean, 0.03);
        Assert.AreEqual(1, variance, 0.05);
    }

    [TestMethod]
    public void SubjectCode_ManySubjects_SixCharactersAndUnique()
    {
        var codes = new HashSet<string>();
        foreach (string vendor in (string[])["A", "B", "C", "D"])
        {
            for (int i = 0; i < 300; i++)
            {
                string code = SubjectCode.Create(7, vendor, i);
                Assert.MatchesRegex("^[0-9A-Z]{6}$", code);
                Assert.IsTrue(codes.Add(code), $"duplicate code {code}");
            }
        }
        Assert.AreEqual(SubjectCode.Create(7, "A", 5), SubjectCode.Create(7, "A", 5));
        Assert.AreNotEqual(SubjectCode.Create(7, "A", 5), SubjectCode.Create(8, "A", 5));
    }
}
