using System.ComponentModel;
using System.Globalization;
using MLCardiac.Search;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>
/// <c>mlcardiac store copy --from reports/mlcardiac.db --to postgresql://… [--search ID]</c>: moves searches between trial
/// stores (<see cref="TrialStoreCopy"/>), e.g. a search started on one machine onto the server that many workers share.
/// </summary>
internal sealed class StoreCopyCommand(IAnsiConsole console) : Command<StoreCopyCommand.Settings>
{
    /// <summary>Arguments of <c>mlcardiac store copy</c>.</summary>
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--from <STORE>")]
        [Description("Source store: a SQLite file or postgresql://user@host:port/db (only read).")]
        public string From { get; init; } = "";

        [CommandOption("--to <STORE>")]
        [Description("Target store: a SQLite file (created when missing) or postgresql://user@host:port/db.")]
        public string To { get; init; } = "";

        [CommandOption("--search <ID>")]
        [Description("Copy only this search. Default: every search of the source.")]
        public string? Search { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(From)) return ValidationResult.Error("--from STORE is required");
            if (string.IsNullOrWhiteSpace(To)) return ValidationResult.Error("--to STORE is required");
            return ValidationResult.Success();
        }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!PostgresUrl.IsUrl(settings.From) && !File.Exists(settings.From)) throw new MLCardiacException($"{settings.From}: store file not found.");
        ITrialStore? from = null, to = null;
        try
        {
            from = TrialStores.Open(settings.From);
            to = TrialStores.Open(settings.To);
            foreach (var (id, trials) in TrialStoreCopy.Copy(from, to, settings.Search))
                console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"copied search [bold]{id}[/] ({trials} trials) from {from.Location} to {to.Location}");
            return 0;
        }
        finally
        {
            TrialStores.Close(from);
            TrialStores.Close(to);
        }
    }
}
