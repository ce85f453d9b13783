// Augmentation throughput on 128×128 synthetic short-axis slices, per preset, single-threaded and in
// parallel over slices. Run: dotnet run -c Release --project bench/MLCardiac.Bench.Augment [-- --seconds 2 --per-transform]
using System.Diagnostics;
using System.Globalization;
using MLCardiac.Augmentation;

const int Size = 128;
const int PoolSize = 64;
double seconds = 2.0;
bool perTransform = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--seconds" && i + 1 < args.Length)
    {
        seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
    }
    else if (args[i] == "--per-transform")
    {
        perTransform = true;
    }
}

// Synthetic test pattern: ring-shaped heart with labels + noise, different jitter per slice.
var images = new float[PoolSize][];
var labels = new byte[PoolSize][];
for (int i = 0; i < PoolSize; i++)
{
    images[i] = new float[Size * Size];
    labels[i] = new byte[Size * Size];
    SyntheticCardiacSlice.Generate(images[i], labels[i], Size, Size, new AugmentationRandom((ulong)i));
}

Console.WriteLine($"Augmentation throughput, {Size}×{Size} slices, {Environment.ProcessorCount} cores, {seconds:0.#} s per measurement");
Console.WriteLine($"{"preset",-10} {"1 thread",14} {"parallel",14}");
foreach (AugmentationPreset preset in Enum.GetValues<AugmentationPreset>())
{
    var pipeline = AugmentationPipeline.FromPreset(preset);
    double single = Measure(pipeline, 1, seconds);
    double parallel = Measure(pipeline, Environment.ProcessorCount, seconds);
    Console.WriteLine($"{preset.ToString().ToLowerInvariant(),-10} {single,10:0} sl/s {parallel,10:0} sl/s");
}

if (perTransform)
{
    Console.WriteLine();
    Console.WriteLine("Each heavy-preset transform alone (p = 1), 1 thread:");
    foreach (AugmentationStep step in AugmentationPipeline.FromPreset(AugmentationPreset.Heavy).Steps)
    {
        IRandomAugmentation transform = step.Transform is RandomSpatialTransform
            ? new RandomSpatialTransform { RotationProbability = 1, ScalingProbability = 1, ElasticProbability = 1 }
            : step.Transform;
        var pipeline = new AugmentationPipeline([new AugmentationStep(transform, 1)]);
        double rate = Measure(pipeline, 1, seconds / 4);
        Console.WriteLine($"  {transform.Name,-18} {1e6 / rate,8:0.0} µs/slice");
    }
}

double Measure(AugmentationPipeline pipeline, int threads, double seconds)
{
    // Warm-up (JIT, tiered compilation, workspace growth).
    RunFor(pipeline, threads, 0.3, 1000);
    long count = 0;
    var watch = Stopwatch.StartNew();
    count = RunFor(pipeline, threads, seconds, 7);
    return count / watch.Elapsed.TotalSeconds;
}

long RunFor(AugmentationPipeline pipeline, int threads, double seconds, ulong seed)
{
    long total = 0;
    long deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
    long next = -1;
    Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
    {
        var image = new float[Size * Size];
        var label = new byte[Size * Size];
        long done = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            for (int k = 0; k < 16; k++)
            {
                long index = Interlocked.Increment(ref next);
                int source = (int)(index % PoolSize);
                images[source].CopyTo(image, 0);
                labels[source].CopyTo(label, 0);
                pipeline.Apply(new AugmentationSample(image, label, Size, Size, 1.25, 1.25), seed, index);
                done++;
            }
        }

        Interlocked.Add(ref total, done);
    });
    return total;
}
