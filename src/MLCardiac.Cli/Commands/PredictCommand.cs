using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using MLCardiac.Imaging;
using MLCardiac.Inference;
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
        [Description("Short-axis image (.nii or .nii.gz), 3D or 4D cine.")]
        public string Image { get; init; } = "";

        [CommandOption("--model <DIR>")]
        [Description("Model folder written by `mlcardiac train --out`.")]
        public string Model { get; init; } = "models/unet-ab";

        [CommandOption("--out <FILE>")]
        [Description("Label map to write (.nii or .nii.gz).")]
        public string Out { get; init; } = "";

        [CommandOption("--frame <N>")]
        [Description("0-based frame of a cine to segment. Default: 0.")]
        public int Frame { get; init; }

        [CommandOption("--all-frames")]
        [Description("Segment every frame of a cine and write a 4D label map.")]
        public bool AllFrames { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out FILE is required") : ValidationResult.Success();
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!File.Exists(settings.Image)) throw new FileNotFoundException($"{settings.Image}: no such file", settings.Image);
        using SegmentationModel model = SegmentationModel.Load(settings.Model);
        Volume image = NiftiReader.Read(settings.Image);
        if (settings.Frame < 0 || settings.Frame >= image.Frames)
            throw new MLCardiacException($"{settings.Image}: frame {settings.Frame} does not exist (the image has {image.Frames}).");
        var clock = Stopwatch.StartNew();
        int[] frames = settings.AllFrames ? Enumerable.Range(0, image.Frames).ToArray() : [settings.Frame];
        var data = new float[image.VoxelsPerFrame * frames.Length];
        Volume? first = null;
        foreach (var (frame, k) in frames.Select((f, k) => (f, k)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Volume labels = model.Segment(image, frame);
            first ??= labels;
            labels.Data.CopyTo(data, k * image.VoxelsPerFrame);
        }
        int[] shape = frames.Length > 1 ? [image.SizeX, image.SizeY, image.SizeZ, frames.Length] : [image.SizeX, image.SizeY, image.SizeZ];
        var output = new Volume(data, shape, image.SpacingMm, image.VoxelToWorld, frames.Length > 1 ? image.TimeStepS : 0, NiftiDataType.UInt8);
        NiftiWriter.Write(output, settings.Out, new NiftiWriteOptions { DataType = NiftiDataType.UInt8 });

        double voxelMl = image.SpacingMm.X * image.SpacingMm.Y * image.SpacingMm.Z / 1000;
        var table = new Table().AddColumns("frame", "LV (ml)", "MYO (ml)", "RV (ml)");
        for (int k = 0; k < frames.Length; k++)
        {
            ReadOnlySpan<float> f = data.AsSpan(k * image.VoxelsPerFrame, image.VoxelsPerFrame);
            table.AddRow(frames[k].ToString(CultureInfo.InvariantCulture), Ml(f, 1, voxelMl), Ml(f, 2, voxelMl), Ml(f, 3, voxelMl));
        }
        console.Write(table);
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"wrote [bold]{settings.Out}[/] in {clock.Elapsed.TotalSeconds:F1} s");
        return 0;

        static string Ml(ReadOnlySpan<float> labels, int c, double voxelMl)
        {
            int n = 0;
            foreach (float v in labels) if (v == c) n++;
            return (n * voxelMl).ToString("F1", CultureInfo.InvariantCulture);
        }
    }
}
