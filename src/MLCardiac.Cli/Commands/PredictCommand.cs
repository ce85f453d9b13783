using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using MLCardiac.Imaging;
using MLCardiac.Inference;
using MLCardiac.ML;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac predict --model DIR IMAGE --out LABELS.nii.gz</c>: segments a short-axis NIfTI (one frame of a
/// cine, or every frame) and writes the label map (0 background, 1 LV, 2 MYO, 3 RV) on the image's own grid.
/// </summary>
internal sealed class PredictCommand(IAnsiConsole console) : Command<PredictCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac predict</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IMAGE>")]
        [Description("Short-axis image (.nii or .nii.gz), 3D or 4D cine; or a folder, whose .nii/.nii.gz images (not *_gt) are all segmented into --out as a folder.")]
        public string Image { get; init; } = "";

        [CommandOption("--model <PATH>")]
        [Description("The model file (model.zip) or a folder holding one, as `mlcardiac train`, `run` and `search` write.")]
        public string Model { get; init; } = "models/unet-ab";

        [CommandOption("--out <FILE>")]
        [Description("Label map to write (.nii or .nii.gz), or the output folder in folder mode (files named <image>_pred.nii.gz).")]
        public string Out { get; init; } = "";

        [CommandOption("--frame <N>")]
        [Description("0-based frame of a cine to segment. Default: 0.")]
        public int Frame { get; init; }

        [CommandOption("--all-frames")]
        [Description("Segment every frame of a cine and write a 4D label map.")]
        public bool AllFrames { get; init; }

        [CommandOption("--tta")]
        [Description("Average the predictions of the slices and their mirror images (test-time augmentation; 4× slower).")]
        public bool Tta { get; init; }

        [CommandOption("--no-largest-component")]
        [Description("Keep every connected piece of each structure (default: only the largest 3D component).")]
        public bool NoLargestComponent { get; init; }

        [CommandOption("--backend <NAME>")]
        [Description("What runs the network: auto (ONNX Runtime when model.onnx from `mlcardiac export` lies beside the model file, else TorchSharp), torchsharp, onnxruntime, or onnxruntime-int8 (model.int8.onnx beside it, from `mlcardiac export --int8`). Default: auto.")]
        public string Backend { get; init; } = "auto";

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out FILE is required") : ValidationResult.Success();
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        SegmentationBackend backend = settings.Backend.ToLowerInvariant() switch
        {
            "auto" => SegmentationBackend.Auto,
            "torchsharp" => SegmentationBackend.TorchSharp,
            "onnxruntime" or "onnx" => SegmentationBackend.OnnxRuntime,
            "onnxruntime-int8" or "onnx-int8" => SegmentationBackend.OnnxRuntimeInt8,
            _ => throw new MLCardiacException($"--backend: '{settings.Backend}' is not one of auto, torchsharp, onnxruntime, onnxruntime-int8."),
        };
        using CardiacModel saved = CardiacModel.Load(settings.Model, backend);
        SegmentationModel model = saved.Segmentation?.Model ?? throw new MLCardiacException($"{saved.FilePath}: the pipeline has no segmentation stage.");
        if (Directory.Exists(settings.Image))
        {
            string[] images = Directory.GetFiles(settings.Image, "*.nii*", SearchOption.AllDirectories)
                .Where(f => (f.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase))
                    && !Path.GetFileName(f).Contains("_gt", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal).ToArray();
            if (images.Length == 0) throw new MLCardiacException($"{settings.Image}: no .nii or .nii.gz image in this folder.");
            foreach (string file in images)
            {
                string name = Path.GetFileName(file);
                name = name[..name.IndexOf(".nii", StringComparison.OrdinalIgnoreCase)] + "_pred.nii.gz";
                console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[bold]{Path.GetRelativePath(settings.Image, file)}[/]");
                SegmentFile(model, saved.QualityControl, file, Path.Combine(settings.Out, name), settings, cancellationToken);
            }
            return 0;
        }
        if (!File.Exists(settings.Image)) throw new FileNotFoundException($"{settings.Image}: no such file or folder", settings.Image);
        SegmentFile(model, saved.QualityControl, settings.Image, settings.Out, settings, cancellationToken);
        return 0;
    }

    private void SegmentFile(SegmentationModel model, QualityControlTransformer? qc, string path, string outPath, Settings settings, CancellationToken cancellationToken)
    {
        Volume image = NiftiReader.Read(path);
        if (settings.Frame < 0 || settings.Frame >= image.Frames)
            throw new MLCardiacException($"{path}: frame {settings.Frame} does not exist (the image has {image.Frames}).");
        var clock = Stopwatch.StartNew();
        int[] frames = settings.AllFrames ? Enumerable.Range(0, image.Frames).ToArray() : [settings.Frame];
        var data = new float[image.VoxelsPerFrame * frames.Length];
        Volume? first = null;
        foreach (var (frame, k) in frames.Select((f, k) => (f, k)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Volume labels = model.Segment(image, frame, mirrorTta: settings.Tta, largestComponent: !settings.NoLargestComponent);
            first ??= labels;
            labels.Data.CopyTo(data, k * image.VoxelsPerFrame);
        }
        int[] shape = frames.Length > 1 ? [image.SizeX, image.SizeY, image.SizeZ, frames.Length] : [image.SizeX, image.SizeY, image.SizeZ];
        var output = new Volume(data, shape, image.SpacingMm, image.VoxelToWorld, frames.Length > 1 ? image.TimeStepS : 0, NiftiDataType.UInt8);
        NiftiWriter.Write(output, outPath, new NiftiWriteOptions { DataType = NiftiDataType.UInt8 });

        double voxelMl = image.SpacingMm.X * image.SpacingMm.Y * image.SpacingMm.Z / 1000;
        var table = new Table().AddColumns("frame", "LV (ml)", "MYO (ml)", "RV (ml)");
        for (int k = 0; k < frames.Length; k++)
        {
            ReadOnlySpan<float> f = data.AsSpan(k * image.VoxelsPerFrame, image.VoxelsPerFrame);
            table.AddRow(frames[k].ToString(CultureInfo.InvariantCulture), Ml(f, 1, voxelMl), Ml(f, 2, voxelMl), Ml(f, 3, voxelMl));
        }
        console.Write(table);
        // Volumes no heart has (nothing segmented, no LV, beyond any heart's size) are said, not silently written.
        var volumes = frames.Select((f, k) => (f, k)).ToDictionary(t => t.f, t =>
        {
            ReadOnlySpan<float> labels = data.AsSpan(t.k * image.VoxelsPerFrame, image.VoxelsPerFrame);
            return MLCardiac.Evaluation.ClinicalIndices.FromLabels(labels, labels, voxelMl);
        });
        var warnings = MLCardiac.Evaluation.SegmentationPlausibility.Check(volumes);
        foreach (string warning in warnings)
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[yellow]warning:[/] {warning}");
        // The quality verdict of every frame goes beside the labels; it never names the input file or quotes its header.
        var quality = new List<QualitySidecar.Frame>();
        if (qc is not null)
            for (int k = 0; k < frames.Length; k++)
            {
                var a = qc.Assess(image, frames[k], data.AsSpan(k * image.VoxelsPerFrame, image.VoxelsPerFrame), cancellationToken);
                quality.Add(QualitySidecar.Frame.From(frames[k], a));
                string verdict = a.Flagged ? "[red]review[/]" : "[green]ok[/]";
                console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"frame {frames[k]}: quality {verdict}: predicted Dice LV {a.PredictedDice[0]:F2}, MYO {a.PredictedDice[1]:F2}, RV {a.PredictedDice[2]:F2}; shift {a.ShiftScore:F1} (threshold {a.ShiftThreshold:F1})"));
                foreach (string reason in a.Reasons) console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"  [yellow]{reason}[/]");
            }
        else console.MarkupLine("[grey]The model has no quality-control stage (fitted before it existed); no quality verdict.[/]");
        string sidecar = QualitySidecar.PathFor(outPath);
        MLCardiac.IO.AtomicFile.WriteAllText(sidecar, QualitySidecar.Json(model, qc is not null, quality, warnings));
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"wrote [bold]{outPath}[/] and [bold]{Path.GetFileName(sidecar)}[/] in {clock.Elapsed.TotalSeconds:F1} s ({model.Backend.Name})");

        static string Ml(ReadOnlySpan<float> labels, int c, double voxelMl)
        {
            int n = 0;
            foreach (float v in labels) if (v == c) n++;
            return (n * voxelMl).ToString("F1", CultureInfo.InvariantCulture);
        }
    }
}
