using Microsoft.ML.OnnxRuntime;

namespace MLCardiac.Inference;

/// <summary>ONNX Runtime session settings for the segmentation backends (measured in bench mode <c>onnx</c>).</summary>
public sealed record OnnxRuntimeSettings
{
    /// <summary>Threads inside one operator of one run; 0 takes the cores divided among <see cref="ConcurrentRuns"/> (by default 1).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// Parts a batch of slices is split into, run at the same time on the one session, each on
    /// <see cref="IntraOpThreads"/> threads; 1 runs the batch whole, 0 (default) takes the number of cores. Slices are
    /// independent in a segmentation network, so the output is the same either way (measured: 0 of 163,840 labels
    /// differ, logits bit-equal); with one thread per part no operator waits for another core, which measured faster
    /// than one run on all cores (bench mode <c>onnx</c>, Onnx/README.md). A single slice then runs on one core.
    /// </summary>
    public int ConcurrentRuns { get; init; }

    /// <summary>
    /// Whether idle intra-op threads spin-wait for the next operator (ONNX Runtime's default; config key
    /// <c>session.intra_op.allow_spinning</c>). Spinning threads take cores that other processes could use.
    /// </summary>
    public bool AllowSpinning { get; init; } = true;

    /// <summary>Graph optimisations applied when the session is created (default: all, including layout and fusions).</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Whether ONNX Runtime plans buffers from the first run's memory pattern (helps when the batch size repeats).</summary>
    public bool MemoryPattern { get; init; } = true;

    /// <summary>The parts a batch is split into (<see cref="ConcurrentRuns"/>, 0 resolved to the number of cores).</summary>
    public int Runs => ConcurrentRuns > 0 ? ConcurrentRuns : Environment.ProcessorCount;

    /// <summary>The intra-op thread count each run gets (<see cref="IntraOpThreads"/>, 0 resolved).</summary>
    public int ThreadsPerRun => IntraOpThreads > 0 ? IntraOpThreads : Math.Max(1, Environment.ProcessorCount / Runs);

    /// <summary>Checks every value, naming the wrong one.</summary>
    public void Validate()
    {
        if (IntraOpThreads < 0) throw new ArgumentException($"IntraOpThreads must be ≥ 0 (was {IntraOpThreads}).", nameof(IntraOpThreads));
        if (ConcurrentRuns is < 0 or > 256) throw new ArgumentException($"ConcurrentRuns must be in [0, 256] (was {ConcurrentRuns}).", nameof(ConcurrentRuns));
    }

    /// <summary>The session options these settings describe (the caller disposes them).</summary>
    public SessionOptions ToSessionOptions()
    {
        Validate();
        var o = new SessionOptions
        {
            GraphOptimizationLevel = OptimizationLevel,
            EnableMemoryPattern = MemoryPattern,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = ThreadsPerRun,
        };
        if (!AllowSpinning) o.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return o;
    }
}
