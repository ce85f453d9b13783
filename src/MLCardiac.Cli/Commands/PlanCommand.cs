using System.ComponentModel;
using System.Globalization;
using MLCardiac.Data;
using MLCardiac.Planning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac plan DATA</c>: fingerprints the dataset's labeled frames (spacing, grid, the hearts' reach from the
/// image centre, intensities per vendor) and writes the training plan derived from it (<see cref="TrainingPlan"/>) to
/// <c>DATA/plans.json</c>, printing each decision and its reason. <c>train --data DATA</c> then takes every value
/// not given on its command line from that plan.
/// </summary>
internal sealed class PlanCommand(IAnsiConsole console) : Command<PlanCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac plan</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DATA>")]
        [Description("Dataset folder (M&Ms, M&Ms-2, ACDC, folder + cases.csv, or synthetic).")]
        public string Data { get; init; } = "";

        [CommandOption("--out <FILE>")]
        [Description("Where to write the plan. Default: DATA/plans.json.")]
        public string? Out { get; init; }

        [CommandOption("--device <DEVICE>")]
        [Description("Device the plan is for: cpu or cuda. Default: cpu.")]
        public string Device { get; init; } = "cpu";

        [CommandOption("--memory <SIZE>")]
        [Description("Memory one training batch may take (e.g. 4g, 512m). Default: 4g on cpu, 8g on cuda.")]
        public string? Memory { get; init; }

        [CommandOption("--margin <MM>")]
        [Description("Margin around the farthest heart, mm. Default: 8.")]
        public double MarginMm { get; init; } = 8;
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new PlanOptions
        {
            Device = settings.Device,
            MemoryBytes = settings.Memory is null ? null : MLCardiac.Server.MemoryBudget.ParseSize(settings.Memory, "--memory"),
            MarginMm = settings.MarginMm,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new MLCardiacException($"plan: {e.Message}");
        }
        DatasetIndex index = DatasetLayouts.Load(settings.Data);
        int subjects = index.Records.Where(r => r.IsLabeled).Select(r => (r.Vendor, r.Subject)).Distinct().Count();
        if (subjects == 0) throw new MLCardiacException($"{settings.Data}: no labeled subject to plan from.");
        DatasetFingerprint fingerprint = null!;
        console.Progress().AutoClear(true).Start(ctx =>
        {
            var task = ctx.AddTask("fingerprinting labeled frames", maxValue: subjects);
            fingerprint = DatasetFingerprint.Measure(index, new Progress<int>(n => task.Value = n), cancellationToken);
        });
        TrainingPlan plan = TrainingPlan.From(fingerprint, options);
        string output = settings.Out ?? Path.Combine(settings.Data, TrainingPlan.FileName);
        plan.Save(output);

        var table = new Table().Border(TableBorder.Simple).Title($"fingerprint of {Markup.Escape(settings.Data)} ({fingerprint.Cases.Count} labeled frames)");
        foreach (string h in new[] { "vendor", "frames", "pixel mm", "slice mm", "matrix", "reach mm", "intensity p0.5–p99.5" })
            table.AddColumn(new TableColumn(h).NoWrap());
        foreach (VendorFingerprint v in plan.Vendors)
            table.AddRow(Markup.Escape(v.Vendor), I(v.Frames), N(v.SpacingMm), N(v.SliceSpacingMm), $"{N(v.MatrixX)}×{N(v.MatrixY)}×{N(v.Slices)}", N(v.HeartReachMm),
                $"{v.IntensityLow.ToString("0", CultureInfo.InvariantCulture)}–{v.IntensityHigh.ToString("0", CultureInfo.InvariantCulture)}");
        console.Write(table);
        foreach (string reason in plan.Reasons) console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"  • {reason}");
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"plan: [bold]{output}[/] — train --data {settings.Data} uses it for every value not given on the command line");
        return 0;
    }

    private static string N(double v) => double.IsFinite(v) ? v.ToString("0.##", CultureInfo.InvariantCulture) : "–";

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
