namespace MLCardiac.Inference;

/// <summary>
/// How to run an ONNX segmentation model, ours or one exported from elsewhere (PyTorch, nnU-Net, MONAI), on our data:
/// which input and output to use, what the output holds, how its classes map to our labels 0..3 and what the input
/// slices must look like. Unset values come from the model (its input shape and MLCardiac metadata) or our defaults.
/// </summary>
public sealed record OnnxSegmentationOptions
{
    /// <summary>Graph input to feed (float [N, 1, H, W] or [N, H, W]); null takes the first input.</summary>
    public string? InputName { get; init; }

    /// <summary>Graph output to read; null takes <c>probabilities</c>, else <c>logits</c>, else the first output.</summary>
    public string? OutputName { get; init; }

    /// <summary>What the output holds.</summary>
    public OnnxOutputKind OutputKind { get; init; } = OnnxOutputKind.Auto;

    /// <summary>
    /// Our label (0 background, 1 LV, 2 MYO, 3 RV) for each of the model's classes, by class index; null is the identity.
    /// ACDC-trained models (1 RV, 2 MYO, 3 LV) use <c>[0, 3, 2, 1]</c>; a class the model has and we do not maps to 0.
    /// </summary>
    public IReadOnlyList<int>? LabelMap { get; init; }

    /// <summary>Side of the square input slices in pixels; null takes the model's fixed input size, else its metadata, else 128.</summary>
    public int? Size { get; init; }

    /// <summary>In-plane spacing the model expects in mm; null takes the model's metadata, else 1.25.</summary>
    public double? SpacingMm { get; init; }

    /// <summary>ONNX Runtime session settings.</summary>
    public OnnxRuntimeSettings Runtime { get; init; } = new();

    /// <summary>The label map checked: every entry in 0..3; throws <see cref="ArgumentException"/> naming the entry otherwise.</summary>
    internal int[]? CheckedLabelMap()
    {
        if (LabelMap is null) return null;
        if (LabelMap.Count == 0) throw new ArgumentException("LabelMap is empty; leave it null for the identity.", nameof(LabelMap));
        for (int k = 0; k < LabelMap.Count; k++)
            if (LabelMap[k] is < 0 or > 3) throw new ArgumentException($"LabelMap[{k}] = {LabelMap[k]}: our labels are 0..3.", nameof(LabelMap));
        return LabelMap.ToArray();
    }
}
