using MLCardiac.Cli;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("mlcardiac");
    config.SetExceptionHandler((ex, _) => ErrorReporting.Report(ex));
});
return app.Run(args);
