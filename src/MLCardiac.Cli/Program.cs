using MLCardiac.Cli;

return CliApp.Create().Run(args);
