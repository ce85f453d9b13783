namespace MLCardiac.Inference;

/// <summary>
/// Keys of the <c>metadata_props</c> that MLCardiac's ONNX exporter writes and its ONNX Runtime backend reads
/// (any ONNX tool shows them; ONNX Runtime exposes them as the model's custom metadata).
/// </summary>
public static class OnnxModelMetadata
{
    /// <summary>What the model is: <see cref="SegmentationKind"/> or <see cref="ClassifierKind"/>.</summary>
    public const string Kind = "mlcardiac.kind";
    /// <summary>Value of <see cref="Kind"/> for a U-Net segmentation model.</summary>
    public const string SegmentationKind = "segmentation";
    /// <summary>Value of <see cref="Kind"/> for the ResNet vendor classifier.</summary>
    public const string ClassifierKind = "vendor-classifier";
    /// <summary>Class names in output-channel order, comma-separated as <c>index:name</c> (e.g. <c>0:background,1:LV,2:MYO,3:RV</c>).</summary>
    public const string Labels = "mlcardiac.labels";
    /// <summary>The architecture as JSON (UNetOptions or ResNetOptions).</summary>
    public const string Network = "mlcardiac.network";
    /// <summary>In-plane pixel spacing the input slices must have, in mm.</summary>
    public const string SpacingMm = "mlcardiac.preprocessing.spacing_mm";
    /// <summary>Side of the square input slices, in pixels.</summary>
    public const string Size = "mlcardiac.preprocessing.size";
    /// <summary>Intensity percentiles clipped before the z-score, as <c>low,high</c>.</summary>
    public const string ClipPercentiles = "mlcardiac.preprocessing.clip_percentiles";
    /// <summary>
    /// How input intensities must be normalised: <see cref="NormalizationByCaller"/> (per-volume clip + z-score done
    /// before the model, as in training) or <see cref="NormalizationInGraph"/> (per-slice z-score inside the graph).
    /// </summary>
    public const string InputNormalization = "mlcardiac.input_normalization";
    /// <summary>Value of <see cref="InputNormalization"/>: the caller z-scores each volume (MLCardiac's Preprocessor).</summary>
    public const string NormalizationByCaller = "per-volume-zscore-by-caller";
    /// <summary>Value of <see cref="InputNormalization"/>: the graph z-scores each slice itself.</summary>
    public const string NormalizationInGraph = "per-slice-zscore-in-graph";
    /// <summary>
    /// Post-processing: the structures whose largest 3D component alone is kept, comma-separated (e.g. <c>1,3</c>; empty:
    /// none). Absent: every structure (files exported before the choice was made on validation).
    /// </summary>
    public const string LargestComponentLabels = "mlcardiac.postprocessing.largest_component";
    /// <summary>Lower-case hex SHA-256 of the weights file the model was exported from (model folders only).</summary>
    public const string WeightsSha256 = "mlcardiac.weights_sha256";
    /// <summary>Of an ensemble exported as one graph: every member's architecture (JSON array), their softmax averaged.</summary>
    public const string EnsembleMembers = "mlcardiac.ensemble.members";
    /// <summary>Key: how the model was quantized (absent for float32 models), e.g. "int8 QDQ: 20 convolutions, …".</summary>
    public const string Quantization = "mlcardiac.quantization";
    /// <summary>Producer name written into every exported model.</summary>
    public const string ProducerName = "MLCardiac";
}
