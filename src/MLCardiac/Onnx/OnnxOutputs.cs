namespace MLCardiac.Onnx;

/// <summary>Which outputs an exported graph has (combine with <c>|</c>; at least one).</summary>
[Flags]
public enum OnnxOutputs
{
    /// <summary>None (not valid on its own).</summary>
    None = 0,
    /// <summary><c>logits</c>: float [N, Classes, H, W] for segmentation, [N, Classes] for classification.</summary>
    Logits = 1,
    /// <summary><c>probabilities</c>: softmax of the logits over the class axis.</summary>
    Probabilities = 2,
    /// <summary><c>labels</c>: int64 arg-max over the class axis, [N, H, W] for segmentation, [N] for classification.</summary>
    Labels = 4,
}
