using MLCardiac.Tests.Support;
using System.Diagnostics;
using System.Globalization;
using MLCardiac.Data;
using MLCardiac.Evaluation;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Onnx;

namespace MLCardiac.Bench;

/// <summary>
/// What int8 quantization buys and costs on a trained model folder: the forward pass of a 10-slice stack on
/// TorchSharp, ONNX Runtime float32 and ONNX Runtime int8 (the folder's <c>model.int8.onnx</c>, exported here when
/// missing, calibrated on the training vendors' images in the data folder), interleaved in one process; then 3D Dice per vendor of the float and the
/// int8 model on every labeled case of the data folder.
/// </summary>
internal static class Int8Benchmark
{
    public static int Run(string[] args)
    {
        string model = "models/unet-ab", data = "data/synthetic";
        int rounds = 15;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--model": model = args[i + 1]; break;
                case "--data": data = args[i + 1]; break;
                case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (!File.Exists(Path.Combine(model, CardiacModel.FileName)) && !File.Exists(model))
        {
            Console.Error.WriteLine($"{model}: no model file (make serve trains models/unet-ab; or pass --model DIR)");
            return 2;
        }
        using var torchFile = CardiacModel.Load(model, SegmentationBackend.TorchSharp);
        string int8Path = CardiacModel.OnnxPath(torchFile.FilePath, quantized: true);
        if (!File.Exists(int8Path))
        {
            string[] trainVendors = [.. torchFile.Segmentation!.Model.Description.TrainVendors];
            int n = torchFile.ExportOnnxInt8(int8Path, data, calibrationVendors: trainVendors);
            Console.WriteLine($"exported {int8Path} (calibrated on {n} slices of the training vendors {string.Join(", ", trainVendors)} in {data})");
        }
        using var fp32File = CardiacModel.Load(model, SegmentationBackend.OnnxRuntime, null, exportOnnxIfMissing: true);
        using var int8File = CardiacModel.Load(model, SegmentationBackend.OnnxRuntimeInt8);
        SegmentationModel torchModel = torchFile.Segmentation!.Model, fp32 = fp32File.Segmentation!.Model, int8 = int8File.Segmentation!.Model;
        int size = torchModel.Description.Preprocessing.Size, slices = 10;
        var random = new Random(1);
        float[] stack = new float[slices * size * size];
        for (int i = 0; i < stack.Length; i++) stack[i] = (float)(random.NextDouble() * 4 - 2);
        var backends = new (string Name, ISegmentationBackend Backend)[] { ("TorchSharp", torchModel.Backend), ("ORT float32", fp32.Backend), ("ORT int8", int8.Backend) };
        // The bare forward passes too (ONNX Runtime sessions on the same files, logits out, no softmax or copies): what the
        // network costs, apart from the backend's softmax over the class planes.
        using var fp32Session = new Microsoft.ML.OnnxRuntime.InferenceSession(
            OnnxExporter.ExportSegmentation(torchModel.Network, torchModel.Description.Preprocessing), new OnnxRuntimeSettings { ConcurrentRuns = 1 }.ToSessionOptions());
        using var int8Session = new Microsoft.ML.OnnxRuntime.InferenceSession(int8Path, new OnnxRuntimeSettings { ConcurrentRuns = 1 }.ToSessionOptions());
        using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(stack, [slices, 1, size, size]);
        using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
        Action Forward(Microsoft.ML.OnnxRuntime.InferenceSession session) => () =>
        {
            using var r = session.Run(runOptions, [OnnxExportOptions.InputName], [input], [OnnxExportOptions.LogitsName]);
        };
        var forwardOnly = new (string Name, Action Run)[] { ("ORT float32, forward only", Forward(fp32Session)), ("ORT int8, forward only", Forward(int8Session)) };
        var outputs = backends.Select(b => new float[slices * b.Backend.Classes * size * size]).ToArray();
        for (int i = 0; i < backends.Length; i++) backends[i].Backend.Predict(stack, slices, size, outputs[i]);
        var times = backends.Select(_ => new List<double>()).ToArray();
        var forwardTimes = forwardOnly.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < backends.Length; i++)
            {
                // Each runtime's worker threads spin for a while after a call (libtorch's OpenMP, each ONNX Runtime
                // session's pool) and would take the cores from the next variant: one untimed call absorbs that,
                // then two calls are timed.
                backends[i].Backend.Predict(stack, slices, size, outputs[i]);
                var clock = Stopwatch.StartNew();
                backends[i].Backend.Predict(stack, slices, size, outputs[i]);
                backends[i].Backend.Predict(stack, slices, size, outputs[i]);
                times[i].Add(clock.Elapsed.TotalMilliseconds / 2);
            }
            for (int i = 0; i < forwardOnly.Length; i++)
            {
                forwardOnly[i].Run();
                var clock = Stopwatch.StartNew();
                forwardOnly[i].Run();
                forwardOnly[i].Run();
                forwardTimes[i].Add(clock.Elapsed.TotalMilliseconds / 2);
            }
        }
        double baseline = Median(times[0]);
        Console.WriteLine($"{model}: forward + softmax of a {slices}-slice {size}×{size} stack, {rounds} interleaved rounds, {Environment.ProcessorCount} cores:");
        for (int i = 0; i < backends.Length; i++)
            Console.WriteLine($"  {backends[i].Name,-26} median {Median(times[i]),7:F1} ms  min {times[i].Min(),7:F1} ms  ratio to TorchSharp {Median(times[i]) / baseline:F2}");
        for (int i = 0; i < forwardOnly.Length; i++)
            Console.WriteLine($"  {forwardOnly[i].Name,-26} median {Median(forwardTimes[i]),7:F1} ms  min {forwardTimes[i].Min(),7:F1} ms  ratio to TorchSharp {Median(forwardTimes[i]) / baseline:F2}");

        var records = DatasetLayouts.Load(data).Records.Where(r => r.IsLabeled).ToList();
        var a = CaseEvaluator.Evaluate((image, frame) => fp32.Segment(image, frame), records, null, CancellationToken.None);
        var b = CaseEvaluator.Evaluate((image, frame) => int8.Segment(image, frame), records, null, CancellationToken.None);
        Console.WriteLine($"3D Dice (LV, MYO, RV mean) on {records.Count} labeled cases of {data}, float32 vs int8:");
        foreach (var vendor in a.Select(c => c.Record.Vendor).Distinct().Order(StringComparer.Ordinal))
        {
            double Mean(IEnumerable<CaseResult> cs) => cs.Where(c => c.Record.Vendor == vendor).Average(c => (c.Lv.Dice + c.Myo.Dice + c.Rv.Dice) / 3);
            Console.WriteLine($"  vendor {vendor}: float32 {Mean(a):F4}  int8 {Mean(b):F4}  Δ {Mean(b) - Mean(a):+0.0000;-0.0000}");
        }
        double all(IReadOnlyList<CaseResult> cs) => cs.Average(c => (c.Lv.Dice + c.Myo.Dice + c.Rv.Dice) / 3);
        Console.WriteLine($"  all:      float32 {all(a):F4}  int8 {all(b):F4}  Δ {all(b) - all(a):+0.0000;-0.0000}; largest per-case |Δ| {a.Zip(b, (x, y) => Math.Abs((x.Lv.Dice + x.Myo.Dice + x.Rv.Dice - y.Lv.Dice - y.Myo.Dice - y.Rv.Dice) / 3)).Max():F4}");
        return 0;
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
