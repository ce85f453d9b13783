using MLCardiac.Bench;

return args.Length == 0 ? Usage() : args[0] switch
{
    "nifti" => NiftiReadBenchmark.Run(args[1..]),
    "train" => TrainingBenchmark.Run(args[1..]),
    "train3d" => Volume3dTrainingBenchmark.Run(args[1..]),
    "infer" => InferenceBenchmark.Run(args[1..]),
    "synth" => SynthBenchmark.Run(args[1..]),
    "prep" => PreparationBenchmark.Run(args[1..]),
    "onnx" => OnnxBenchmark.Run(args[1..]),
    "int8" => Int8Benchmark.Run(args[1..]),
    "layers" => LayersBenchmark.Run(args[1..]),
    "serve" => ServeBenchmark.Run(args[1..]),
    "fuzz" => FuzzBenchmark.Run(args[1..]),
    "attack" => AttackBenchmark.Run(args[1..]),
    "store" => StoreBenchmark.Run(args[1..]),
    "input" => InputPipelineBenchmark.Run(args[1..]),
    "breakdown" => TrainingBreakdownBenchmark.Run(args[1..]),
    "all" => NiftiReadBenchmark.Run([]) | TrainingBenchmark.Run([]) | Volume3dTrainingBenchmark.Run([]) | SynthBenchmark.Run([]) | PreparationBenchmark.Run([]) | OnnxBenchmark.Run([])
        | (File.Exists("models/unet-ab/model.json") ? Int8Benchmark.Run([]) : 0) | ServeBenchmark.Run([]) | FuzzBenchmark.Run([]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/MLCardiac.Bench -- all | nifti [--rounds N] [--dir DIR] [--python PATH]");
    Console.Error.WriteLine("                                                              | infer [--rounds N] | train [--base-filters 16] [--depth 4] [--size 128] [--batch 8] [--rounds 5] [--steps 5] [--threads N]");
    Console.Error.WriteLine("                                                              | train3d [--network unet3d|vnet] [--base-filters 16] [--depth 4] [--size 128] [--patch-depth 8] [--batch 2] [--rounds 5] [--steps 3]   (3D training vs PyTorch, peak memory)");
    Console.Error.WriteLine("                                                              | synth [--subjects-per-vendor N] [--dir DIR]");
    Console.Error.WriteLine("                                                              | prep [--subjects-per-vendor N] [--rounds N] [--dir DIR]");
    Console.Error.WriteLine("                                                              | onnx [--rounds N] [--forward-only]   (ONNX Runtime forward pass before/after, then TorchSharp vs ONNX Runtime settings)");
    Console.Error.WriteLine("                                                              | int8 [--model DIR] [--data DIR] [--rounds N]   (float32 vs int8 ONNX: speed and Dice)");
    Console.Error.WriteLine("                                                              | layers   (where the U-Net's inference time goes, per layer and per ONNX operator)");
    Console.Error.WriteLine("                                                              | serve [--model DIR] [--requests 50] [--clients 4] [--per-client 10]");
    Console.Error.WriteLine("                                                              | fuzz [--nifti 10000] [--model 2000] [--seed S]   (mutated NIfTI and model files: 0 crashes, 0 hangs)");
    Console.Error.WriteLine("                                                              | attack [--model DIR] [--server-dll PATH] [--heap-limit 1.5g] [--legit 20] [--settle 60]   (stalled uploads, 2^26-voxel burst)");
    Console.Error.WriteLine("                                                              | breakdown [--rounds 5] [--steps 5]   (a training step's time per phase, against the 2048² matmul ceiling)");
    Console.Error.WriteLine("                                                              | input [--augment heavy|standard|none] [--workers 0,1,2] [--rounds 3] [--steps 20]   (batches prepared inline vs in the background)");
    Console.Error.WriteLine("                                                              | store [--units 200] [--scaling-units 60] [--unit-ms 200] [--fsync on|off]   (trial stores: SQLite vs PostgreSQL overhead per unit, units/min with 1, 2, 4 workers)");
    return 2;
}
