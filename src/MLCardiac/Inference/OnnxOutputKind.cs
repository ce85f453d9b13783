namespace MLCardiac.Inference;

/// <summary>What a segmentation model's ONNX output holds.</summary>
public enum OnnxOutputKind
{
    /// <summary>Decide from the output: float with a class axis → logits; integer → labels.</summary>
    Auto,
    /// <summary>Unnormalised scores [N, K, H, W]; softmax over K gives the probabilities.</summary>
    Logits,
    /// <summary>Probabilities [N, K, H, W] (already softmaxed, e.g. MONAI with an activation at the end).</summary>
    Probabilities,
    /// <summary>Label indices [N, H, W] or [N, 1, H, W] (integer or float); turned into one-hot probabilities.</summary>
    Labels,
}
