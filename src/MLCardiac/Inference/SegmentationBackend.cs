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
}
