using MLCardiac;
using MLCardiac.Server;

// `dotnet run --project src/MLCardiac.Server -- [--model DIR] [--classifier DIR] [--urls URLS]`
// (the same service as `mlcardiac serve`).
try
{
    ServerOptions options = ServerCommandLine.Parse(args);
    await using var app = ServerApp.Build(options);
    await app.RunAsync();
    return 0;
}
catch (MLCardiacException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
