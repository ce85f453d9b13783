using System.ComponentModel;
using System.Globalization;
using MLCardiac.Inference;
using MLCardiac.Onnx;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac export --model DIR [--onnx OUT.onnx] [--mlnet OUT.zip]</c>: writes a segmentation model folder (or a
/// vendor classifier folder) as an ONNX model, and optionally as an ML.NET model that wraps it.
/// </summary>
internal sealed class ExportCommand(IAnsiConsole console) : Command<ExportCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac export</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--model <DIR>")]
        [Description("Model folder written by `mlcardiac train --out` or `mlcardiac classify-vendor --out`.")]
        public string Model { get; init; } = "";

        [CommandOption("--onnx <FILE>")]
        [Description("ONNX file to write. Default: model.onnx inside the model folder, which `mlcardiac predict` then runs with ONNX Runtime.")]
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
        string onnxPath = settings.Onnx ?? Path.Combine(settings.Model, SegmentationModel.OnnxFile);
        cancellationToken.ThrowIfCancellationRequested();
        string kind = OnnxExporter.ExportModelFolder(settings.Model, onnxPath, options);
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
