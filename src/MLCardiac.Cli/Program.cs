using MLCardiac.Cli;
using MLCardiac.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("mlcardiac");
    config.SetExceptionHandler((ex, _) => ErrorReporting.Report(ex));
    config.AddCommand<AugmentCommand>("augment")
        .WithDescription("Preview what an augmentation preset does: --preview OUT.png, optionally --preset NAME and --seed N.")
        .WithExample("augment", "--preview", "augment.png", "--preset", "heavy", "--seed", "1");
});
return app.Run(args);
