using System.Diagnostics;
using System.Globalization;
using MLCardiac.Data.Synthetic;

namespace MLCardiac.Bench;

/// <summary>
/// Times the synthetic dataset: a sequential pass that splits one subject's cost into generation and writing, then the
/// whole dataset written in parallel as <c>mlcardiac synth</c> does. Reports wall time and process CPU time (on a shared
/// machine the CPU time divided by the cores is the better estimate of an idle run).
/// </summary>
internal static class SynthBenchmark
{
    /// <summary>Runs the benchmark; arguments: [--subjects-per-vendor N] [--dir DIR].</summary>
    public static int Run(string[] args)
    {
        int perVendor = 25;
        string dir = Path.Combine(Path.GetTempPath(), "mlcardiac-synth-bench");
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--subjects-per-vendor": perVendor = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--dir": dir = args[i + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
        var generator = new SyntheticCohortGenerator(new SyntheticCohortOptions());
        using var process = Process.GetCurrentProcess();

        // Warm-up (JIT), then one subject per vendor sequentially: generation vs writing.
        SyntheticDatasetWriter.WriteSubject(dir, generator.Generate(VendorProfiles.A, 1000), labeled: true);
        double generateS = 0, writeS = 0;
        long voxels = 0;
        foreach (VendorProfile vendor in VendorProfiles.All)
        {
            TimeSpan t0 = Cpu(process);
            SyntheticSubject subject = generator.Generate(vendor, 1001);
            TimeSpan t1 = Cpu(process);
            SyntheticDatasetWriter.WriteSubject(dir, subject, labeled: true);
            TimeSpan t2 = Cpu(process);
            generateS += (t1 - t0).TotalSeconds;
            writeS += (t2 - t1).TotalSeconds;
            voxels += subject.Image.Length;
        }
        int n = VendorProfiles.All.Count;
        Console.WriteLine($"per subject (CPU, mean of {n}, {voxels / n / 1e6:0.0} M voxels): generate {generateS / n:0.000} s, write .nii.gz {writeS / n:0.000} s");

        TimeSpan cpu0 = Cpu(process);
        TimeSpan pause0 = GC.GetTotalPauseDuration();
        int gen2 = GC.CollectionCount(2);
        var watch = Stopwatch.StartNew();
        IReadOnlyList<SyntheticSubjectInfo> infos = new SyntheticDatasetWriter(generator).Write(dir, new SyntheticDatasetRequest { SubjectsPerVendor = perVendor });
        double wall = watch.Elapsed.TotalSeconds;
        double cpu = (Cpu(process) - cpu0).TotalSeconds;
        Console.WriteLine($"{infos.Count} subjects on {Environment.ProcessorCount} cores: wall {wall:0.0} s, CPU {cpu:0.0} s (CPU / cores = {cpu / Environment.ProcessorCount:0.0} s); GC: {GC.CollectionCount(2) - gen2} gen-2 collections, {(GC.GetTotalPauseDuration() - pause0).TotalSeconds:0.0} s paused");
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    private static TimeSpan Cpu(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }
}
