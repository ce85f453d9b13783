using MLCardiac.Bench;

return args.Length > 0 && args[0] == "nifti"
    ? NiftiReadBenchmark.Run(args[1..])
    : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/MLCardiac.Bench -- nifti [--rounds N] [--dir DIR] [--python PATH]");
    return 2;
}
