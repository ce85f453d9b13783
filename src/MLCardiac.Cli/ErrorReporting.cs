using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli;

/// <summary>Turns exceptions into one clear line for the user and a process exit code.</summary>
internal static class ErrorReporting
{
    /// <summary>Exit code for bad input or a failed operation the user can fix.</summary>
    public const int UserError = 1;

    /// <summary>Exit code for an unexpected failure (a bug): the stack trace is printed.</summary>
    public const int InternalError = 70;

    /// <summary>Prints <paramref name="ex"/> to the terminal and returns the exit code.</summary>
    public static int Report(Exception ex) => Report(ex, AnsiConsole.Console);

    /// <summary>Prints <paramref name="ex"/> to <paramref name="console"/> and returns the exit code.</summary>
    public static int Report(Exception ex, IAnsiConsole console)
    {
        switch (ex)
        {
            case MLCardiacException or CommandAppException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException:
                console.MarkupLineInterpolated($"[red]error:[/] {OneLine(ex.Message)}");
                return UserError;
            // A damaged or foreign input file that a reader let through without naming it: still the user's to fix, in one line.
            case System.Text.Json.JsonException or InvalidDataException or EndOfStreamException:
                console.MarkupLineInterpolated($"[red]error:[/] a file could not be read: it is damaged or not in the expected format ({OneLine(ex.Message)}).");
                return UserError;
            case OperationCanceledException:
                console.MarkupLine("[yellow]cancelled[/]");
                return 130;
            case AggregateException { InnerExceptions.Count: 1 } aggregate:
                return Report(aggregate.InnerExceptions[0], console);
            default:
                console.MarkupLine("[red]internal error[/] (please report it):");
                console.WriteException(ex, ExceptionFormats.ShortenPaths);
                return InternalError;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
