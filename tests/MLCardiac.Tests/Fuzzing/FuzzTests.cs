using CsCheck;
using Microsoft.ML;
using MLCardiac.Data.Synthetic;
using MLCardiac.Fuzzing;
using MLCardiac.ML;
using MLCardiac.Tests.Data;

namespace MLCardiac.Tests.Fuzzing;

/// <summary>
/// A few hundred seeded fuzz inputs through the NIfTI reader and the model-file reader (<see cref="FuzzTargets"/>): every
/// input is read or refused with our exception, none takes over 5 s. <c>bench fuzz</c> runs the same targets on thousands.
/// </summary>
[TestClass]
public sealed class FuzzTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(5);

    [TestMethod]
    public void NiftiReader_400MutatedInputs_ReadOrRefusedNeverCrashed()
    {
        var tally = new FuzzTally();
        FuzzTargets.NiftiInputs(FuzzTargets.NiftiSeeds()).Sample(bytes =>
            FuzzTargets.Run(tally, () => (FuzzTargets.Nifti(bytes, out Exception? e), e)), iter: 400, threads: 1, seed: "0N0XIzNsQ0O2");

        Assert.AreEqual(400, tally.Inputs);
        Assert.IsEmpty(tally.Crashes, string.Join("\n", tally.Crashes.Take(5)));
        Assert.IsLessThan(Hang, tally.Slowest, tally.ToString());
        Assert.IsGreaterThan(20, tally.Reasons.Count, $"the mutations reach many checks: {tally}");
        Assert.IsGreaterThan(0, tally.Accepted, tally.ToString());
    }

    [TestMethod]
    public void ModelFileReader_200MutatedFiles_RefusedWithOneLineNamingTheFileNeverCrashed()
    {
        string root = Path.Combine(Path.GetTempPath(), "mlcardiac-fuzz-" + Guid.NewGuid().ToString("N"));
        try
        {
            string data = Path.Combine(root, "data");
            new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(data, new SyntheticDatasetRequest { Vendors = [VendorProfiles.A], SubjectsPerVendor = 1 });
            var cardiac = new MLContext(seed: 1).CardiacSegmentation();
            byte[] seed = FuzzTargets.ModelSeed(cardiac, cardiac.Data.FromDirectory(data).Schema, Path.Combine(root, "seed.zip"));
            string path = Path.Combine(root, "fuzzed.zip");
            var tally = new FuzzTally();

            FuzzTargets.ModelInputs(seed).Sample(bytes =>
                FuzzTargets.Run(tally, () => (FuzzTargets.ModelFile(cardiac, bytes, path, out Exception? e), e)), iter: 200, threads: 1, seed: "0N0XIzNsQ0O2");

            Assert.AreEqual(200, tally.Inputs);
            Assert.IsEmpty(tally.Crashes, string.Join("\n", tally.Crashes.Take(5)));
            Assert.IsLessThan(Hang, tally.Slowest, tally.ToString());
            Assert.IsGreaterThan(5, tally.Reasons.Count, $"the mutations reach the zip, manifest and weights readers: {tally}");
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
