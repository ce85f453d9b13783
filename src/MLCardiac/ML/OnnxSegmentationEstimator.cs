using Microsoft.ML;
using MLCardiac.Inference;

namespace MLCardiac.ML;

/// <summary>Estimator of <see cref="OnnxSegmentationTransformer"/>: nothing to learn; Fit reads and opens the ONNX file.</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Trains?</term><description>No.</description></item>
/// <item><term>Input columns</term><description><c>Image</c>, <c>ImageShape</c>, <c>SpacingMm</c> (what LoadNifti writes).</description></item>
/// <item><term>Output columns</term><description><c>PredictedLabel</c>: Byte vector, labels 0..3 on each image's own grid.</description></item>
/// </list>
/// </remarks>
public sealed class OnnxSegmentationEstimator : IEstimator<OnnxSegmentationTransformer>
{
    private readonly string _path;
    private readonly OnnxSegmentationOptions _options;
    private readonly bool _mirrorTta;

    internal OnnxSegmentationEstimator(string path, OnnxSegmentationOptions? options, bool mirrorTta)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
        _options = options ?? new OnnxSegmentationOptions();
        _mirrorTta = mirrorTta;
    }

    /// <summary>Reads the ONNX file and opens it; throws <see cref="MLCardiacException"/> naming the file when it is missing or unusable.</summary>
    public OnnxSegmentationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        VolumeColumns.Require(input.Schema, nameof(OnnxSegmentationEstimator));
        if (!File.Exists(_path)) throw new MLCardiacException($"{_path}: no such ONNX file.");
        byte[] onnx;
        try
        {
            onnx = File.ReadAllBytes(_path);
        }
        catch (IOException e)
        {
            throw new MLCardiacException($"{_path}: cannot be read ({e.Message}).", e);
        }
        return new OnnxSegmentationTransformer(onnx, _path, _options, _mirrorTta);
    }

    /// <summary>The input shape with <c>PredictedLabel</c> added; throws naming a missing or mistyped column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        VolumeColumns.Require(inputSchema, nameof(OnnxSegmentationEstimator));
        return ColumnAccess.Extend(inputSchema, [SegmentationTransformer.Column([], [])]);
    }
}
