namespace MLCardiac.Onnx;

/// <summary>What an exported ONNX model contains (see <see cref="OnnxExporter"/> and Onnx/README.md).</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Name of the graph input (float [N, 1, Size, Size]).</summary>
    public const string InputName = "image";
    /// <summary>Name of the logits output.</summary>
    public const string LogitsName = "logits";
    /// <summary>Name of the probabilities output.</summary>
    public const string ProbabilitiesName = "probabilities";
    /// <summary>Name of the labels output.</summary>
    public const string LabelsName = "labels";
    /// <summary>Name of the dynamic batch dimension.</summary>
    public const string BatchDimension = "batch";

    /// <summary>Outputs of the graph (default: logits and labels).</summary>
    public OnnxOutputs Outputs { get; init; } = OnnxOutputs.Logits | OnnxOutputs.Labels;

    /// <summary>
    /// When true the graph z-scores each input slice itself (mean and standard deviation over the slice, no
    /// percentile clipping), so a consumer can feed resampled raw intensities. This is not what the network was
    /// trained on (per-volume clip + z-score), so predictions differ slightly from MLCardiac's; default false:
    /// the caller normalises, as <c>Preprocessor</c> does.
    /// </summary>
    public bool NormalizeSlices { get; init; }

    /// <summary>Side of the square input slices in pixels; null takes the model's preprocessing size.</summary>
    public int? Size { get; init; }

    /// <summary>Opset of the default ONNX domain the graph uses (17 to 21; every operator used is unchanged across them).</summary>
    public int Opset { get; init; } = OnnxExporter.DefaultOpset;

    /// <summary>
    /// Writes each U-Net decoder stage's first convolution over a Concat of the up-sampled input and the skip
    /// connection, as the exporter did before it split that convolution in two (same values, slower in ONNX Runtime);
    /// kept for the benchmark and the test that compares the two graphs.
    /// </summary>
    internal bool ConcatSkips { get; init; }

    /// <summary>Checks every value, naming the wrong one.</summary>
    public void Validate()
    {
        if ((Outputs & (OnnxOutputs.Logits | OnnxOutputs.Probabilities | OnnxOutputs.Labels)) == 0 || (Outputs & ~(OnnxOutputs.Logits | OnnxOutputs.Probabilities | OnnxOutputs.Labels)) != 0)
            throw new ArgumentException($"Outputs must combine Logits, Probabilities and/or Labels (was {Outputs}).", nameof(Outputs));
        if (Size is < 16 or > 1024) throw new ArgumentException($"Size must be in [16, 1024] pixels (was {Size}).", nameof(Size));
        if (Opset is < 17 or > 21) throw new ArgumentException($"Opset must be in 17..21 (was {Opset}).", nameof(Opset));
    }
}
