using MLCardiac.Bench;

return args.Length > 0 && args[0] == "nifti"
    ? NiftiReadBenchmark.Run(args[1..])
    : args.Length > 0 && args[0] == "synth"
        ? SynthBenchmark.Run(args[1..])
        : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/MLCardiac.Bench -- nifti [--rounds N] [--dir DIR] [--python PATH]");
    Console.Error.WriteLine("       dotnet run -c Release --project bench/MLCardiac.Bench -- synth [--subjects-per-vendor N] [--dir DIR]");
    return 2;
}
