using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MLCardiac.Imaging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac info FILE [--json]</c>: shape, spacing (mm), time step (s), datatype, NIfTI version, orientation,
/// affine and intensity range of a NIfTI image. Header free text (descrip, aux_file, intent_name) is never shown:
/// it can hold patient identifiers.
/// </summary>
internal sealed class InfoCommand(IAnsiConsole console) : Command<InfoCommand.Settings>
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Arguments of <c>mlcardiac info</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        /// <summary>The .nii or .nii.gz file to describe.</summary>
        [CommandArgument(0, "<FILE>")]
        [Description("NIfTI image (.nii or .nii.gz).")]
        public string File { get; init; } = string.Empty;

        /// <summary>Print JSON instead of a table.</summary>
        [CommandOption("--json")]
        [Description("Print the same information as JSON.")]
        public bool Json { get; init; }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!System.IO.File.Exists(settings.File))
        {
            throw new FileNotFoundException($"{settings.File}: no such file", settings.File);
        }

        NiftiHeader header = NiftiReader.ReadHeader(settings.File);
        Volume volume = NiftiReader.Read(settings.File);
        cancellationToken.ThrowIfCancellationRequested();
        IntensityStatistics stats = IntensityStatistics.Compute(volume.Voxels);
        var report = new InfoReport(
            Path.GetFileName(settings.File),
            volume.Shape,
            [volume.SpacingMm.X, volume.SpacingMm.Y, volume.SpacingMm.Z],
            volume.TimeStepS,
            volume.SourceDataType.ToString().ToLowerInvariant(),
            header.Version == NiftiVersion.Nifti1 ? 1 : 2,
            volume.Orientation,
            Enumerable.Range(0, 4).Select(r => Enumerable.Range(0, 4).Select(c => volume.VoxelToWorld[r, c]).ToArray()).ToArray(),
            new IntensityReport(stats.Min, stats.Max, stats.Mean, stats.NonFiniteCount));

        if (settings.Json)
        {
            // Straight to the output writer: Spectre's renderer would wrap long lines and break the JSON.
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(report, JsonOptions));
            return 0;
        }

        var table = new Table().HideHeaders().AddColumn("field").AddColumn("value");
        table.AddRow("file", Markup.Escape(report.File));
        table.AddRow("shape", string.Join(" × ", report.Shape));
        table.AddRow("spacing (mm)", string.Join(" × ", report.SpacingMm.Select(F)));
        table.AddRow("time step (s)", F(report.TimeStepS));
        table.AddRow("datatype", report.DataType);
        table.AddRow("NIfTI version", report.NiftiVersion.ToString(CultureInfo.InvariantCulture));
        table.AddRow("orientation", report.Orientation);
        table.AddRow("affine (voxel → mm)", Markup.Escape(volume.VoxelToWorld.ToString()));
        table.AddRow("intensity min / max / mean", $"{F(stats.Min)} / {F(stats.Max)} / {F(stats.Mean)}");
        if (stats.NonFiniteCount > 0)
        {
            table.AddRow("non-finite voxels", stats.NonFiniteCount.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(table);
        return 0;
    }

    private static string F(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>What <c>info</c> reports (also the JSON shape).</summary>
    internal sealed record InfoReport(
        string File,
        int[] Shape,
        double[] SpacingMm,
        double TimeStepS,
        string DataType,
        int NiftiVersion,
        string Orientation,
        double[][] Affine,
        IntensityReport Intensity);

    /// <summary>Intensity range of the voxels after scaling (finite values only).</summary>
    internal sealed record IntensityReport(double Min, double Max, double Mean, long NonFiniteCount);
}
