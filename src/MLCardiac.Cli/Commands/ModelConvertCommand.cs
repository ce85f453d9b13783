using System.ComponentModel;
using System.Globalization;
using MLCardiac.ML;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac model convert DIR</c>: turns a model folder of an earlier release (<c>model.json</c> + weights, or a vendor
/// classifier folder) into the one model file, <c>DIR/model.zip</c>, which every command reads.
/// </summary>
internal sealed class ModelConvertCommand(IAnsiConsole console) : Command<ModelConvertCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac model convert</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DIR>")]
        [Description("Model folder of an earlier release (model.json + best.weights, or vendor-classifier.json + vendor-classifier.weights).")]
        public string Directory { get; init; } = "";

        [CommandOption("--out <FILE>")]
        [Description("Model file to write. Default: DIR/model.zip.")]
        public string? Out { get; init; }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string written = LegacyModelFolder.Convert(settings.Directory, settings.Out);
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"wrote [bold]{written}[/]; `mlcardiac predict`, `serve` and `export` read it (the old files can be deleted).");
        return 0;
    }
}
