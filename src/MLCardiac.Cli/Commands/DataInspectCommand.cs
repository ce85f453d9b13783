using System.ComponentModel;
using System.Globalization;
using MLCardiac.Data;
using MLCardiac.Imaging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac data inspect DIR</c>: detects the dataset layout and prints subjects per vendor and centre,
/// labeled and unlabeled counts, the spacing and matrix ranges, and every problem found; exit code 1 when any
/// subject is unusable.
/// </summary>
internal sealed class DataInspectCommand(IAnsiConsole console) : Command<DataInspectCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac data inspect</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DIR>")]
        [Description("Dataset folder (M&Ms layout, including the synthetic dataset, or ACDC).")]
        public string Directory { get; init; } = "";
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        DatasetIndex index = DatasetLayouts.Load(settings.Directory);
        var table = new Table().Border(TableBorder.Simple).Title($"{index.Layout} dataset in {Markup.Escape(settings.Directory)}");
        foreach (string h in new[] { "vendor", "centre", "subj", "lab", "unlab", "pixel mm", "slice mm", "matrix", "frames" })
            table.AddColumn(new TableColumn(h).NoWrap().PadLeft(0).PadRight(2));
        foreach (var group in index.Records.GroupBy(r => (r.Vendor, Centre: r.Centre ?? "–")).OrderBy(g => g.Key.Vendor, StringComparer.Ordinal).ThenBy(g => g.Key.Centre, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var subjects = group.GroupBy(r => r.Subject).ToList();
            int labeled = subjects.Count(s => s.All(r => r.IsLabeled));
            var headers = group.Select(r => r.ImagePath).Distinct().Select(NiftiReader.ReadHeader).ToList();
            table.AddRow(
                Markup.Escape(group.Key.Vendor), Markup.Escape(group.Key.Centre),
                subjects.Count.ToString(CultureInfo.InvariantCulture), labeled.ToString(CultureInfo.InvariantCulture),
                (subjects.Count - labeled).ToString(CultureInfo.InvariantCulture),
                InPlane(headers),
                Range(headers.Select(h => h.PixDim[3])),
                Range(headers.Select(h => (double)h.Dim[1]), "F0") + "×" + Range(headers.Select(h => (double)h.Dim[2]), "F0"),
                Range(headers.Select(h => h.Dim[0] >= 4 ? (double)h.Dim[4] : 1), "F0"));
        }
        console.Write(table);

        var fatal = index.Problems.Where(p => p.Fatal).ToList();
        foreach (var p in index.Problems)
        {
            string level = p.Fatal ? "[red]unusable[/]" : "[yellow]warning[/]";
            console.MarkupLine($"{level} {Markup.Escape(p.Subject ?? "dataset")}: {Markup.Escape(p.Message)} ({Markup.Escape(p.Path)})");
        }
        int usable = index.Records.Select(r => r.Subject).Distinct().Count();
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"{usable} usable subjects; {fatal.Select(p => p.Subject).Distinct().Count()} unusable; {index.Problems.Count - fatal.Count} warnings (subj = subjects, lab/unlab = labeled/unlabeled)");
        return fatal.Count > 0 ? ErrorReporting.UserError : 0;
    }

    /// <summary>The in-plane pixel size range; "x×y" only where some volume has non-square pixels.</summary>
    private static string InPlane(List<NiftiHeader> headers) =>
        headers.All(h => Math.Abs(h.PixDim[1] - h.PixDim[2]) < 1e-6)
            ? Range(headers.Select(h => h.PixDim[1]))
            : Range(headers.Select(h => h.PixDim[1])) + "×" + Range(headers.Select(h => h.PixDim[2]));

    private static string Range(IEnumerable<double> values, string format = "0.##")
    {
        var v = values.ToList();
        if (v.Count == 0) return "–";
        string lo = v.Min().ToString(format, CultureInfo.InvariantCulture), hi = v.Max().ToString(format, CultureInfo.InvariantCulture);
        return lo == hi ? lo : $"{lo}–{hi}";
    }
}
