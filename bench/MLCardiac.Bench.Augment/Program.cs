// Augmentation throughput on 128×128 synthetic short-axis slices, per preset, single-threaded and in
// parallel over slices. Run: dotnet run -c Release --project bench/MLCardiac.Bench.Augment [-- --seconds 2 --per-transform]
using System.Diagnostics;
using System.Globalization;
using MLCardiac.Augmentation;
using MLCardiac.Numerics;

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
Console.WriteLine("Slices per wall-clock second, and per CPU-second used by this process (steadier when other jobs share the cores;");
Console.WriteLine("parallel wall rate ≈ cores × per-CPU-second rate on an idle machine).");
Console.WriteLine($"{"preset",-10} {"1 thread",14} {"(per CPU-s)",14} {"parallel",14} {"(per CPU-s)",14}");
foreach (AugmentationPreset preset in Enum.GetValues<AugmentationPreset>())
{
    var pipeline = AugmentationPipeline.FromPreset(preset);
    (double single, double singleCpu) = Measure(pipeline, 1, seconds);
    (double parallel, double parallelCpu) = Measure(pipeline, Environment.ProcessorCount, seconds);
    Console.WriteLine($"{preset.ToString().ToLowerInvariant(),-10} {single,9:0} sl/s {singleCpu,9:0} sl/s {parallel,9:0} sl/s {parallelCpu,9:0} sl/s");
}

if (args.Contains("--fft"))
{
    var fft = new RealFft2D(Size, Size);
    var spectrum = new System.Numerics.Complex[Size * fft.HalfWidth];
    var output = new float[Size * Size];
    var rows = new ComplexFft(Size);
    var row = new System.Numerics.Complex[Size];
    for (int pass = 0; pass < 2; pass++)
    {
        const int Reps = 2000;
        var sw = Stopwatch.StartNew();
        for (int r = 0; r < Reps; r++)
        {
            fft.Forward(images[r % PoolSize], spectrum);
        }

        double forward = sw.Elapsed.TotalMicroseconds / Reps;
        sw.Restart();
        for (int r = 0; r < Reps; r++)
        {
            fft.Inverse(spectrum, output);
        }

        double inverse = sw.Elapsed.TotalMicroseconds / Reps;
        sw.Restart();
        for (int r = 0; r < Reps * 64; r++)
        {
            rows.Forward(row);
        }

        double rowFfts = sw.Elapsed.TotalMicroseconds / Reps;
        Console.WriteLine($"real 2D FFT {Size}²: forward {forward:0.0} µs, inverse {inverse:0.0} µs; 64 complex row FFTs {rowFfts:0.0} µs");
    }
}

if (perTransform)
{
    Console.WriteLine();
    Console.WriteLine("Each heavy-preset transform alone (p = 1), 1 thread:");
    IRandomAugmentation[] spatialVariants =
    [
        new RandomSpatialTransform { RotationProbability = 1, ScalingProbability = 1, MirrorXProbability = 0, MirrorYProbability = 0 },
        new RandomSpatialTransform { RotationProbability = 0, ScalingProbability = 0, ElasticProbability = 1, MirrorXProbability = 0, MirrorYProbability = 0 },
    ];
    string[] spatialNames = ["spatial affine", "spatial elastic"];
    var transforms = spatialVariants.Select((t, i) => (spatialNames[i], t))
        .Concat(AugmentationPipeline.FromPreset(AugmentationPreset.Heavy).Steps.Skip(1).Select(s => (s.Transform.Name, s.Transform)));
    foreach ((string name, IRandomAugmentation transform) in transforms)
    {
        var pipeline = new AugmentationPipeline([new AugmentationStep(transform, 1)]);
        (double rate, double cpuRate) = Measure(pipeline, 1, seconds / 4);
        Console.WriteLine($"  {name,-18} {1e6 / rate,8:0.0} µs/slice wall {1e6 / cpuRate,8:0.0} µs/slice CPU");
        if (transform.IsSpatial)
        {
            (rate, cpuRate) = Measure(pipeline, 1, seconds / 4, withLabels: false);
            Console.WriteLine($"  {name + " (no label)",-18} {1e6 / rate,8:0.0} µs/slice wall {1e6 / cpuRate,8:0.0} µs/slice CPU");
        }
    }
}

// Returns slices per wall second and slices per CPU second of this process.
(double Wall, double Cpu) Measure(AugmentationPipeline pipeline, int threads, double seconds, bool withLabels = true)
{
    // Warm-up (JIT, tiered compilation, workspace growth).
    RunFor(pipeline, threads, 0.3, 1000);
    using var process = Process.GetCurrentProcess();
    TimeSpan cpu0 = process.TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    long count = RunFor(pipeline, threads, seconds, 7, withLabels);
    double wall = watch.Elapsed.TotalSeconds;
    process.Refresh();
    double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
    return (count / wall, count / cpu);
}

long RunFor(AugmentationPipeline pipeline, int threads, double seconds, ulong seed, bool withLabels = true)
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
                pipeline.Apply(new AugmentationSample(image, withLabels ? label : Span<byte>.Empty, Size, Size, 1.25, 1.25), seed, index);
                done++;
            }
        }

        Interlocked.Add(ref total, done);
    });
    return total;
}
