using MLCardiac.ML;
using MLCardiac.Preprocessing;

namespace MLCardiac.Tests.ML;

[TestClass]
public sealed class PreparedSliceCacheTests
{
    private string _dir = "";

    [TestInitialize]
    public void Create() => _dir = Directory.CreateTempSubdirectory("mlcardiac-prepared-").FullName;

    [TestCleanup]
    public void Delete() => Directory.Delete(_dir, recursive: true);

    private static PreparedSlices Sample(int seed)
    {
        var random = new Random(seed);
        float[] slices = [.. Enumerable.Range(0, 3 * 16 * 16).Select(_ => (float)random.NextDouble())];
        byte[] labels = [.. Enumerable.Range(0, 3 * 16 * 16).Select(_ => (byte)random.Next(4))];
        return new PreparedSlices(slices, labels, [20, 18, 3], [1.5f, 1.5f, 8f]);
    }

    private string Image(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [TestMethod]
    public void PutThenTryGet_NewCacheOnTheSameFolder_ReadsTheEntryBackEqual()
    {
        string key = PreparedSliceCache.Key(Image("a.nii", "x"), 0, "", 0, [], new PreprocessingOptions())!;
        var stored = Sample(1);
        new PreparedSliceCache(Path.Combine(_dir, "cache")).Put(key, stored);

        var fresh = new PreparedSliceCache(Path.Combine(_dir, "cache"));
        Assert.IsTrue(fresh.TryGet(key, out PreparedSlices read));

        CollectionAssert.AreEqual(stored.Slices, read.Slices);
        CollectionAssert.AreEqual(stored.LabelSlices, read.LabelSlices);
        CollectionAssert.AreEqual(stored.Shape, read.Shape);
        CollectionAssert.AreEqual(stored.SpacingMm, read.SpacingMm);
        Assert.AreEqual((1L, 0L), (fresh.Hits, fresh.Misses));
    }

    [TestMethod]
    public void Key_FileRewrittenFrameOrSettingsChanged_IsAnotherKey()
    {
        string image = Image("b.nii", "x");
        var options = new PreprocessingOptions();
        string key = PreparedSliceCache.Key(image, 0, "", 0, [], options)!;

        Assert.AreEqual(key, PreparedSliceCache.Key(image, 0, "", 0, [], options));
        Assert.AreNotEqual(key, PreparedSliceCache.Key(image, 1, "", 0, [], options), "another frame");
        Assert.AreNotEqual(key, PreparedSliceCache.Key(image, 0, "", 0, [], options with { Size = 64 }), "other preprocessing");
        string label = Image("b_gt.nii", "y");
        Assert.AreNotEqual(key, PreparedSliceCache.Key(image, 0, label, 0, [], options), "with a label");
        Assert.AreNotEqual(PreparedSliceCache.Key(image, 0, label, 0, [], options), PreparedSliceCache.Key(image, 0, label, 0, [0, 3, 2, 1], options), "another label translation");
        File.WriteAllText(image, "xy");
        Assert.AreNotEqual(key, PreparedSliceCache.Key(image, 0, "", 0, [], options), "the file was rewritten");
        Assert.IsNull(PreparedSliceCache.Key(Path.Combine(_dir, "missing.nii"), 0, "", 0, [], options), "no file, no key");
    }

    [TestMethod]
    public void TryGet_DamagedFile_IsAMissNotASilentlyWrongSlice()
    {
        string key = PreparedSliceCache.Key(Image("c.nii", "x"), 0, "", 0, [], new PreprocessingOptions())!;
        string folder = Path.Combine(_dir, "cache");
        new PreparedSliceCache(folder).Put(key, Sample(2));
        string file = Directory.GetFiles(folder, "*.slices", SearchOption.AllDirectories).Single();
        byte[] bytes = File.ReadAllBytes(file);
        bytes[^10] ^= 0x40;
        File.WriteAllBytes(file, bytes);

        var fresh = new PreparedSliceCache(folder);
        Assert.IsFalse(fresh.TryGet(key, out _));
        Assert.AreEqual(1L, fresh.Misses);
    }

    [TestMethod]
    public void Put_OverTheMemoryBudget_ForgetsTheLeastRecentlyUsed()
    {
        var cache = new PreparedSliceCache(null, memoryBytes: 2 * Sample(0).Bytes);
        cache.Put("k1", Sample(1));
        cache.Put("k2", Sample(2));
        Assert.IsTrue(cache.TryGet("k1", out _), "k1 used: k2 is now the least recently used");
        cache.Put("k3", Sample(3));

        Assert.IsTrue(cache.TryGet("k1", out _));
        Assert.IsFalse(cache.TryGet("k2", out _));
        Assert.IsTrue(cache.TryGet("k3", out _));
    }
}
