using System.Diagnostics;
using System.Globalization;
using MLCardiac.Data;
using MLCardiac.Data.Synthetic;
using MLCardiac.Imaging;
using MLCardiac.ML;
using Microsoft.ML;
using MLCardiac.Preprocessing;

namespace MLCardiac.Bench;

/// <summary>
/// Load + preprocess throughput on the synthetic set (what every training run starts with): the dataset is written once,
/// then rounds alternate a read-only pass (every image and label file decoded, as preparation reads them) with the full
/// preparation (read, plan, resample to 1.25 mm / 128×128, normalise, labels forward). Reports slices/s of both and the
/// ratio, so the preprocessing's own share is measured side by side with the decoding floor. The preparation is the
/// product's: the ML.NET chain <c>LoadNifti → Preprocess</c>, run without the prepared-slice cache (which would otherwise
/// answer every round after the first).
/// </summary>
internal static class PreparationBenchmark
{
    /// <summary>Runs the benchmark; arguments: [--subjects-per-vendor N] [--rounds N] [--dir DIR].</summary>
    public static int Run(string[] args)
    {
        int perVendor = 10, rounds = 3;
        string dir = Path.Combine(Path.GetTempPath(), "mlcardiac-prep-bench");
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--subjects-per-vendor": perVendor = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--dir": dir = args[i + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        new SyntheticDatasetWriter(new SyntheticCohortGenerator(new SyntheticCohortOptions())).Write(dir, new SyntheticDatasetRequest { SubjectsPerVendor = perVendor });
        IReadOnlyList<CaseRecord> records = DatasetLayouts.Load(dir).Records;
        var cardiac = new Microsoft.ML.MLContext(seed: 1).CardiacSegmentation(new MLCardiac.ML.CardiacRunContext { PreparedCache = null });
        Microsoft.ML.IDataView cases = cardiac.Data.FromRecords(records);
        var chain = cardiac.Transforms.LoadNifti().Append(cardiac.Transforms.Preprocess(new PreprocessingOptions())).Fit(cases);
        long Prepare() => MLCardiac.ML.SlicesColumn.Read(chain.Transform(cases), labels: true, CancellationToken.None).Sum(r => (long)r.Slices.Length) / (128L * 128);
        string[] files = records.Select(r => r.ImagePath).Concat(records.Where(r => r.LabelPath is not null).Select(r => r.LabelPath!)).Distinct(StringComparer.Ordinal).ToArray();

        long slices = Prepare(); // warm-up (JIT, page cache)
        var readOnly = new List<double>();
        var full = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, f => NiftiReader.Read(f));
            readOnly.Add(slices / watch.Elapsed.TotalSeconds);
            watch.Restart();
            Prepare();
            full.Add(slices / watch.Elapsed.TotalSeconds);
        }
        double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        Console.WriteLine($"load + preprocess: {records.Count} frames, {slices} slices (1.25 mm, 128×128), {Environment.ProcessorCount} cores, {rounds} interleaved rounds");
        Console.WriteLine($"  read only          {Median(readOnly),8:0} slices/s (median; range {readOnly.Min():0}–{readOnly.Max():0})");
        Console.WriteLine($"  read + preprocess  {Median(full),8:0} slices/s (median; range {full.Min():0}–{full.Max():0})");
        Console.WriteLine($"  read + preprocess takes {Median(readOnly) / Median(full):0.00}× the time of reading alone");
        Directory.Delete(dir, recursive: true);
        return 0;
    }
}
