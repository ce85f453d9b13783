namespace MLCardiac.Inference;

/// <summary>Which runtime executes a model folder's network (see <see cref="SegmentationModel.Load(string, SegmentationBackend, OnnxRuntimeSettings?)"/>).</summary>
public enum SegmentationBackend
{
    /// <summary>The faster runtime available: ONNX Runtime when the folder has an up-to-date <c>model.onnx</c>, else TorchSharp.</summary>
    Auto,
    /// <summary>TorchSharp (libtorch) with the weights file.</summary>
    TorchSharp,
    /// <summary>ONNX Runtime with the folder's <c>model.onnx</c> (an error when it is missing or stale).</summary>
    OnnxRuntime,
    /// <summary>
    /// ONNX Runtime with the folder's <c>model.int8.onnx</c> (<c>mlcardiac export --int8</c>): integer convolutions,
    /// faster on CPUs with VNNI, predictions close to but not identical with the float model's.
    /// </summary>
    OnnxRuntimeInt8,
}
