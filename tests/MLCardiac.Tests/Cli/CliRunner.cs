using MLCardiac.Cli;
using Spectre.Console;

namespace MLCardiac.Tests.Cli;

/// <summary>Runs the <c>mlcardiac</c> app in-process with its real configuration, capturing plain-text output.</summary>
internal static class CliRunner
{
    public static (int Code, string Output) Run(params string[] args)
    {
        using var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 400;
        int code = CliApp.Create(console).Run(args);
        return (code, writer.ToString());
    }
}
