namespace MLCardiac.Inference;

/// <summary>
/// The forward pass of a segmentation network, whatever runs it (TorchSharp, ONNX Runtime): preprocessed slices in,
/// per-pixel class probabilities in our label convention out. <see cref="VolumeSegmenter"/> does everything around it
/// (preprocessing, batching, mirror TTA, largest component, restoring the original grid) the same way for every backend.
/// </summary>
/// <remarks>One instance is not safe for concurrent calls.</remarks>
public interface ISegmentationBackend : IDisposable
{
    /// <summary>A short description for logs and benchmarks (e.g. "TorchSharp", "ONNX Runtime").</summary>
    string Name { get; }

    /// <summary>
    /// True when the network sees stacks (a 3D U-Net or V-Net): <see cref="Predict"/> must then be given every slice of one
    /// volume, in order, at once — callers do not split a volume into batches.
    /// </summary>
    bool WholeStack => false;

    /// <summary>Number of labels the probabilities cover (4: background, LV, MYO, RV).</summary>
    int Classes { get; }

    /// <summary>
    /// Probabilities [count, Classes, size, size] (softmax over the class axis, or one-hot for models that output
    /// labels) for the normalised slices [count, size, size] in <paramref name="slices"/>.
    /// </summary>
    void Predict(ReadOnlySpan<float> slices, int count, int size, Span<float> probabilities);
}
