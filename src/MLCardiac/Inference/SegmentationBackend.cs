namespace MLCardiac.Inference;

/// <summary>Which runtime executes a model file's network (see <c>CardiacModel.Load</c>).</summary>
public enum SegmentationBackend
{
    /// <summary>The faster runtime available: ONNX Runtime when an up-to-date <c>model.onnx</c> lies beside the model file, else TorchSharp.</summary>
    Auto,
    /// <summary>TorchSharp (libtorch) with the weights file.</summary>
    TorchSharp,
    /// <summary>ONNX Runtime with the <c>model.onnx</c> beside the model file (an error when it is missing or stale).</summary>
    OnnxRuntime,
    /// <summary>
    /// ONNX Runtime with the <c>model.int8.onnx</c> beside the model file (<c>mlcardiac export --int8</c>): integer convolutions,
    /// faster on CPUs with VNNI, predictions close to but not identical with the float model's.
    /// </summary>
    OnnxRuntimeInt8,
}
