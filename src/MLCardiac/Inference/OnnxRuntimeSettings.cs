using Microsoft.ML.OnnxRuntime;

namespace MLCardiac.Inference;

/// <summary>ONNX Runtime session settings for the segmentation backends (measured in bench mode <c>onnx</c>).</summary>
public sealed record OnnxRuntimeSettings
{
    /// <summary>Threads inside one operator; 0 takes the number of cores.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Graph optimisations applied when the session is created (default: all, including layout and fusions).</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Whether ONNX Runtime plans buffers from the first run's memory pattern (helps when the batch size repeats).</summary>
    public bool MemoryPattern { get; init; } = true;

    /// <summary>The session options these settings describe (the caller disposes them).</summary>
    public SessionOptions ToSessionOptions()
    {
        if (IntraOpThreads < 0) throw new ArgumentException($"IntraOpThreads must be ≥ 0 (was {IntraOpThreads}).", nameof(IntraOpThreads));
        var o = new SessionOptions
        {
            GraphOptimizationLevel = OptimizationLevel,
            EnableMemoryPattern = MemoryPattern,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = IntraOpThreads == 0 ? Environment.ProcessorCount : IntraOpThreads,
        };
        return o;
    }
}
