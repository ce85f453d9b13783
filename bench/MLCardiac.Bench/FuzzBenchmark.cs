using System.Diagnostics;
using CsCheck;
using Microsoft.ML;
using MLCardiac.Data.Synthetic;
using MLCardiac.Fuzzing;
using MLCardiac.ML;

namespace MLCardiac.Bench;

/// <summary>
/// <c>bench fuzz [--nifti 10000] [--model 2000] [--seed S]</c>: the test suite's fuzz targets (tests/MLCardiac.Tests/Fuzzing)
/// at scale — mutated NIfTI files through the reader, mutated model files through LoadModel. Reports outcomes, distinct
/// refusal reasons, the slowest input (a hang is over 5 s) and every crash (an exception other than ours, or an error
/// line that does not name the file); exit 1 when there is a crash or a hang.
/// </summary>
internal static class FuzzBenchmark
{
    public static int Run(string[] args)
    {
        int nifti = 10_000, model = 2_000;
        string seed = "0N0XIzNsQ0O2";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--nifti": nifti = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--model": model = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--seed": seed = args[++i]; break;
                default: Console.Error.WriteLine($"fuzz: unknown argument {args[i]}"); return 2;
            }
        }
        string root = Path.Combine(Path.GetTempPath(), "mlcardiac-bench-fuzz-" + Guid.NewGuid().ToString("N"));
        try
        {
            var clock = Stopwatch.StartNew();
            var niftiTally = new FuzzTally();
            FuzzTargets.NiftiInputs(FuzzTargets.NiftiSeeds()).Sample(bytes =>
                FuzzTargets.Run(niftiTally, () => (FuzzTargets.Nifti(bytes, out Exception? e), e)), iter: nifti, threads: 1, seed: seed);
            Console.WriteLine($"fuzz nifti: {niftiTally} in {clock.Elapsed.TotalSeconds:F1} s");

            clock.Restart();
            string data = Path.Combine(root, "data");
            new SyntheticDatasetWriter(new SyntheticCohortGenerator(new SyntheticCohortOptions { Seed = 1234, MinFrames = 4, MaxFrames = 6 }))
                .Write(data, new SyntheticDatasetRequest { Vendors = [VendorProfiles.A], SubjectsPerVendor = 1 });
            var cardiac = new MLContext(seed: 1).CardiacSegmentation();
            byte[] seedFile = FuzzTargets.ModelSeed(cardiac, cardiac.Data.FromDirectory(data).Schema, Path.Combine(root, "seed.zip"));
            string path = Path.Combine(root, "fuzzed.zip");
            var modelTally = new FuzzTally();
            FuzzTargets.ModelInputs(seedFile).Sample(bytes =>
                FuzzTargets.Run(modelTally, () => (FuzzTargets.ModelFile(cardiac, bytes, path, out Exception? e), e)), iter: model, threads: 1, seed: seed);
            Console.WriteLine($"fuzz model file: {modelTally} in {clock.Elapsed.TotalSeconds:F1} s");

            foreach (string crash in niftiTally.Crashes.Concat(modelTally.Crashes).Distinct().Take(20)) Console.WriteLine($"  crash: {crash}");
            bool hang = niftiTally.Slowest > TimeSpan.FromSeconds(5) || modelTally.Slowest > TimeSpan.FromSeconds(5);
            return niftiTally.Crashes.Count + modelTally.Crashes.Count > 0 || hang ? 1 : 0;
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
