using MLCardiac.Cli;
using MLCardiac.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("mlcardiac");
    config.SetExceptionHandler((ex, _) => ErrorReporting.Report(ex));
    config.AddCommand<SynthCommand>("synth")
        .WithDescription("Write the synthetic multi-vendor short-axis cine dataset (M&Ms layout) and/or a preview montage.")
        .WithExample("synth", "--out", "data/synthetic", "--subjects-per-vendor", "25", "--preview", "synth.png");
});
return app.Run(args);
