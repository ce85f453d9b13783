using System.ComponentModel;
using System.Globalization;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Onnx;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac export --model PATH [--onnx OUT.onnx] [--mlnet OUT.zip]</c>: writes the segmentation network of a model file
/// (or its vendor classifier) as an ONNX model, and optionally as an ML.NET model that wraps it.
/// </summary>
internal sealed class ExportCommand(IAnsiConsole console) : Command<ExportCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac export</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--model <PATH>")]
        [Description("The model file (model.zip) or a folder holding one: a segmentation pipeline (`mlcardiac train`, `run`, `search`) or a vendor classifier (`mlcardiac classify-vendor`).")]
        public string Model { get; init; } = "";

        [CommandOption("--onnx <FILE>")]
        [Description("ONNX file to write. Default: model.onnx beside the model file, which `mlcardiac predict` then runs with ONNX Runtime.")]
        public string? Onnx { get; init; }

        [CommandOption("--mlnet <FILE>")]
        [Description("Also write an ML.NET model (.zip) that wraps the ONNX model (ApplyOnnxModel), loadable with Microsoft.ML + Microsoft.ML.OnnxTransformer alone.")]
        public string? MLNet { get; init; }

        [CommandOption("--outputs <LIST>")]
        [Description("Graph outputs, comma-separated: logits, probabilities, labels. Default: logits,labels.")]
        public string Outputs { get; init; } = "logits,labels";

        [CommandOption("--normalize-slices")]
        [Description("Z-score each slice inside the graph (for consumers that cannot normalise per volume; predictions then differ slightly from MLCardiac's). Not for model.onnx inside the folder.")]
        public bool NormalizeSlices { get; init; }

        [CommandOption("--int8")]
        [Description("Quantize the U-Net's 3×3 convolutions to int8 (static, QDQ; ONNX Runtime runs them as QLinearConv). Needs --calibration-data. Default file: model.int8.onnx beside the model file (`predict --backend onnxruntime-int8`).")]
        public bool Int8 { get; init; }

        [CommandOption("--calibration-data <DIR>")]
        [Description("With --int8: a dataset folder (any layout `data inspect` reads; labels not needed) whose slices calibrate the activation ranges.")]
        public string? CalibrationData { get; init; }

        [CommandOption("--calibration-subjects <N>")]
        [Description("With --int8: subjects to calibrate on, taken in turn from each vendor. Default: 8.")]
        public int CalibrationSubjects { get; init; } = 8;

        [CommandOption("--calibration-vendors <LIST>")]
        [Description("With --int8: calibrate on these vendors only (comma-separated), e.g. the training vendors. Default: every vendor in the folder.")]
        public string? CalibrationVendors { get; init; }

        [CommandOption("--opset <N>")]
        [Description("ONNX opset, 17..21. Default: 17.")]
        public int Opset { get; init; } = OnnxExporter.DefaultOpset;

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error("--model DIR is required") : ValidationResult.Success();
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var outputs = OnnxOutputs.None;
        foreach (string name in settings.Outputs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            outputs |= name.ToLowerInvariant() switch
            {
                "logits" => OnnxOutputs.Logits,
                "probabilities" => OnnxOutputs.Probabilities,
                "labels" => OnnxOutputs.Labels,
                _ => throw new MLCardiacException($"--outputs: '{name}' is not one of logits, probabilities, labels."),
            };
        }
        var options = new OnnxExportOptions { Outputs = outputs, NormalizeSlices = settings.NormalizeSlices, Opset = settings.Opset };
        try { options.Validate(); }
        catch (ArgumentException e) { throw new MLCardiacException($"--{e.ParamName?.ToLowerInvariant()}: {e.Message}", e); }
        if (settings.Int8 && string.IsNullOrWhiteSpace(settings.CalibrationData))
            throw new MLCardiacException("--int8 needs --calibration-data DIR: the slices whose activation ranges set the int8 scales.");
        if (!settings.Int8 && (settings.CalibrationData ?? settings.CalibrationVendors) is not null)
            throw new MLCardiacException("--calibration-data and --calibration-vendors are only used with --int8.");
        if (settings.CalibrationSubjects < 1) throw new MLCardiacException($"--calibration-subjects must be at least 1 (was {settings.CalibrationSubjects}).");
        using CardiacModel model = CardiacModel.Load(settings.Model, SegmentationBackend.TorchSharp);
        string onnxPath = settings.Onnx ?? CardiacModel.OnnxPath(model.FilePath, settings.Int8);
        cancellationToken.ThrowIfCancellationRequested();
        string kind = OnnxModelMetadata.SegmentationKind;
        if (settings.Int8)
        {
            int slices = model.ExportOnnxInt8(onnxPath, settings.CalibrationData!, settings.CalibrationSubjects, options,
                settings.CalibrationVendors?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), cancellationToken);
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"calibrated int8 activation ranges on {slices} slices of {settings.CalibrationData}");
        }
        else
        {
            kind = model.ExportOnnx(onnxPath, options);
        }
        var info = OnnxModelInfo.Read(onnxPath);
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"wrote [bold]{onnxPath}[/] ({kind}, opset {info.Opset}, input {info.InputName} [[{string.Join(", ", info.InputShape.Select(d => d?.ToString(CultureInfo.InvariantCulture) ?? "batch"))}]], outputs {string.Join(", ", info.OutputNames)}, {new FileInfo(onnxPath).Length / 1024.0:F0} KiB)");
        if (settings.MLNet is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            OnnxExporter.SaveAsMLNetModel(onnxPath, settings.MLNet);
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"wrote [bold]{settings.MLNet}[/] (ML.NET model wrapping the ONNX graph)");
        }
        return 0;
    }
}
