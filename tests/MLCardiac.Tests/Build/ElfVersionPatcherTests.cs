using System.Reflection;
using MLCardiac.Build;

namespace MLCardiac.Tests.Build;

/// <summary>
/// The build step that lets TorchSharp's native glue load on hosts whose libstdc++ predates GCC 13
/// (build/ElfVersionPatch.cs, Directory.Build.targets).
/// </summary>
[TestClass]
public sealed class ElfVersionPatcherTests
{
    private const string LibStdCxx = "libstdc++.so.6";
    private const string Gcc13Version = "GLIBCXX_3.4.32";

    private string? _dir;

    private static string PackageCopy()
    {
        string root = typeof(ElfVersionPatcherTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot").Value!;
        string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(path)) Assert.Inconclusive($"TorchSharp's package copy is not at {path} (not a linux-x64 restore).");
        return path;
    }

    private static string OutputCopy()
    {
        string[] found = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.AreNotEqual(0, found.Length, "the test output folder has no libLibTorchSharp.so");
        return found[0];
    }

    private string TempDir()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlcardiac-elf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        return _dir;
    }

    private string TempCopy(string source)
    {
        string copy = Path.Combine(TempDir(), Path.GetFileName(source));
        File.Copy(source, copy);
        return copy;
    }

    [TestCleanup]
    public void Cleanup()
    {
        if (_dir is not null && Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [TestMethod]
    public void ReadVersionNeeds_PackageLibrary_Gcc13VersionIsNeededButUnbound()
    {
        List<ElfVersionNeed> needs = ElfVersionPatcher.ReadVersionNeeds(PackageCopy());

        ElfVersionNeed gcc13 = needs.Single(n => n.File == LibStdCxx && n.Version == Gcc13Version);
        Assert.IsFalse(gcc13.Weak, "the package as shipped has a strong need");
        Assert.IsFalse(gcc13.Bound, "no relocation binds a GLIBCXX_3.4.32 symbol");
        Assert.IsTrue(needs.Any(n => n.File == LibStdCxx && n.Bound), "other libstdc++ versions are bound by relocations");
    }

    [TestMethod]
    public void WeakenUnboundVersions_HostLacksGcc13_ChangesOnlyThatFlagAndIsIdempotent()
    {
        string pristine = PackageCopy();
        string copy = TempCopy(pristine);
        var oldHost = AllLibStdCxxVersions(pristine).Where(v => v != Gcc13Version).ToHashSet();

        ElfPatchResult first = ElfVersionPatcher.WeakenUnboundVersions(copy, LibStdCxx, oldHost);
        byte[] afterFirst = File.ReadAllBytes(copy);
        ElfPatchResult second = ElfVersionPatcher.WeakenUnboundVersions(copy, LibStdCxx, oldHost);

        CollectionAssert.AreEqual(new[] { Gcc13Version }, first.Weakened);
        Assert.IsEmpty(second.Weakened);
        CollectionAssert.AreEqual(new[] { Gcc13Version }, second.AlreadyWeak);
        CollectionAssert.AreEqual(afterFirst, File.ReadAllBytes(copy), "a second run must not change the file");
        byte[] original = File.ReadAllBytes(pristine);
        int[] differing = Enumerable.Range(0, original.Length).Where(i => original[i] != afterFirst[i]).ToArray();
        Assert.HasCount(1, differing, "exactly one byte (the low byte of vna_flags) changes");
        Assert.AreEqual(2, afterFirst[differing[0]] & ~original[differing[0]], "the change is VER_FLG_WEAK (0x2)");
        Assert.IsTrue(ElfVersionPatcher.ReadVersionNeeds(copy).Single(n => n.Version == Gcc13Version).Weak);
    }

    [TestMethod]
    public void WeakenUnboundVersions_HostHasEveryVersion_LeavesFileUntouched()
    {
        string pristine = PackageCopy();
        string copy = TempCopy(pristine);

        ElfPatchResult r = ElfVersionPatcher.WeakenUnboundVersions(copy, LibStdCxx, AllLibStdCxxVersions(pristine));

        Assert.IsEmpty(r.Weakened);
        CollectionAssert.AreEqual(File.ReadAllBytes(pristine), File.ReadAllBytes(copy));
    }

    [TestMethod]
    public void WeakenUnboundVersions_HostLacksABoundVersion_ReportsItAndDoesNotWeakenIt()
    {
        string pristine = PackageCopy();
        string copy = TempCopy(pristine);
        string bound = ElfVersionPatcher.ReadVersionNeeds(pristine).First(n => n.File == LibStdCxx && n.Bound).Version;
        var host = AllLibStdCxxVersions(pristine).Where(v => v != bound).ToHashSet();

        ElfPatchResult r = ElfVersionPatcher.WeakenUnboundVersions(copy, LibStdCxx, host);

        CollectionAssert.AreEqual(new[] { bound }, r.BoundAndMissing);
        Assert.IsEmpty(r.Weakened);
        Assert.IsFalse(ElfVersionPatcher.ReadVersionNeeds(copy).Single(n => n.Version == bound).Weak);
    }

    [TestMethod]
    public void OutputCopy_AfterBuild_NeedsNoLibStdCxxVersionTheHostLacksUnlessWeak()
    {
        string? host = ElfVersionPatcher.FindHostLibStdCxx();
        if (host is null) Assert.Inconclusive("this host has no libstdc++.so.6 in the usual places");
        HashSet<string> hostVersions = ElfVersionPatcher.ReadDefinedVersions(host);
        Assert.Contains("GLIBCXX_3.4.30", hostVersions, "the host's version definitions are read (Debian 12 has 3.4.30)");

        var strongMissing = ElfVersionPatcher.ReadVersionNeeds(OutputCopy())
            .Where(n => n.File == LibStdCxx && !hostVersions.Contains(n.Version) && !n.Weak)
            .Select(n => n.Version).ToList();

        Assert.IsEmpty(strongMissing, $"the build left strong needs the host lacks: {string.Join(", ", strongMissing)}");
        if (hostVersions.Contains(Gcc13Version))
            CollectionAssert.AreEqual(File.ReadAllBytes(PackageCopy()), File.ReadAllBytes(OutputCopy()),
                "on a host that has GCC 13's libstdc++ the build must not modify the library");
        Assert.IsFalse(ElfVersionPatcher.ReadVersionNeeds(PackageCopy()).Single(n => n.Version == Gcc13Version).Weak,
            "the NuGet cache copy must never be modified");
    }

    [TestMethod]
    public void ReadVersionNeeds_NotAnElfFile_ThrowsNamingTheFile()
    {
        string dir = TempDir();
        string bogus = Path.Combine(dir, "libbogus.so");
        File.WriteAllText(bogus, "#!/bin/sh\necho not a library\n");
        string truncated = Path.Combine(dir, "libtruncated.so");
        File.WriteAllBytes(truncated, File.ReadAllBytes(PackageCopy()).AsSpan(0, 4096).ToArray());

        var e1 = Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(bogus));
        var e2 = Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(truncated));

        StringAssert.Contains(e1.Message, bogus);
        StringAssert.Contains(e2.Message, "truncated");
    }

    private static HashSet<string> AllLibStdCxxVersions(string elf) =>
        ElfVersionPatcher.ReadVersionNeeds(elf).Where(n => n.File == LibStdCxx).Select(n => n.Version).ToHashSet();
}
