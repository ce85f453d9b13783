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
                console.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
                return UserError;
            case OperationCanceledException:
                console.MarkupLine("[yellow]cancelled[/]");
                return 130;
            default:
                console.MarkupLine("[red]internal error[/] (please report it):");
                console.WriteException(ex, ExceptionFormats.ShortenPaths);
                return InternalError;
        }
    }
}
