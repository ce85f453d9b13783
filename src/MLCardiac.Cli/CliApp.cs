using MLCardiac.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MLCardiac.Cli;

/// <summary>Builds the <c>mlcardiac</c> command-line application; the tests run the same configuration in-process.</summary>
internal static class CliApp
{
    /// <summary>Creates the app with every command registered; output goes to <paramref name="console"/> (default: the terminal).</summary>
    public static CommandApp Create(IAnsiConsole? console = null)
    {
        IAnsiConsole output = console ?? AnsiConsole.Console;
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("mlcardiac");
            config.ConfigureConsole(output);
            config.SetExceptionHandler((ex, _) => ErrorReporting.Report(ex, output));
            config.AddCommand<InfoCommand>("info")
                .WithDescription("Shows a NIfTI image's shape, spacing, time step, datatype, orientation, affine and intensity range.")
                .WithExample("info", "case_sa.nii.gz")
                .WithExample("info", "case_sa.nii.gz", "--json");
            config.AddCommand<SynthCommand>("synth")
                .WithDescription("Writes the synthetic multi-vendor short-axis cine dataset (M&Ms layout) and/or a preview montage.")
                .WithExample("synth", "--out", "data/synthetic", "--subjects-per-vendor", "25", "--preview", "synth.png")
                .WithExample("synth", "--out", "data/synthetic", "--unlabeled-vendors", "C");
        });
        return app;
    }
}
