using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Inference;

namespace MLCardiac.ML;

/// <summary>
/// Any ONNX segmentation model in a pipeline (ours exported by <c>mlcardiac export</c>, or one from PyTorch, nnU-Net or
/// MONAI): for each row, the volume of <c>Image</c>/<c>ImageShape</c>/<c>SpacingMm</c> goes through
/// <see cref="OnnxSegmentationModel.Segment"/> — the same preprocessing, batching, arg-max, restoring and largest-component
/// filter as a trained U-Net — and the labels land in <c>PredictedLabel</c> on the image's own grid, so
/// <see cref="CardiacSegmentationCatalog.Evaluate"/> scores it like any trained model. The model file stores the ONNX
/// bytes themselves. Dispose it to close the ONNX Runtime session.
/// </summary>
public sealed class OnnxSegmentationTransformer : CardiacTransformer, ICardiacStage, IDisposable
{
    internal const string StageKind = "OnnxSegmentation";
    private readonly byte[] _onnx;

    /// <summary>Opens <paramref name="onnx"/> (<paramref name="source"/> names it in messages); throws <see cref="MLCardiacException"/> when it cannot be used.</summary>
    internal OnnxSegmentationTransformer(byte[] onnx, string source, OnnxSegmentationOptions options, bool mirrorTta)
    {
        _onnx = onnx;
        Options = options;
        MirrorTta = mirrorTta;
        Model = OnnxSegmentationModel.Load(onnx, source, options);
    }

    /// <summary>The model: ONNX Runtime session, label map and the preprocessing the model expects.</summary>
    public OnnxSegmentationModel Model { get; }
    /// <summary>The options the model was opened with (unset size and spacing are resolved in <c>Model.Preprocessor</c>).</summary>
    public OnnxSegmentationOptions Options { get; }
    /// <summary>True when inference averages over mirror images.</summary>
    public bool MirrorTta { get; }

    string ICardiacStage.Kind => StageKind;

    JsonObject ICardiacStage.SaveSettings() => new()
    {
        ["options"] = JsonSerializer.SerializeToNode(Options),
        ["mirrorTta"] = MirrorTta,
    };

    byte[]? ICardiacStage.SaveWeights() => _onnx;

    internal static OnnxSegmentationTransformer Load(JsonObject settings, byte[] onnx, string source)
    {
        var options = settings["options"].Deserialize<OnnxSegmentationOptions>() ?? throw new JsonException("no ONNX options");
        bool tta = (bool?)settings["mirrorTta"] ?? false;
        return new OnnxSegmentationTransformer(onnx, source, options, tta);
    }

    /// <summary>Closes the ONNX Runtime session.</summary>
    public void Dispose() => Model.Dispose();

    private protected override RowMapping Bind(DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        VolumeColumns.Require(input, nameof(OnnxSegmentationTransformer));
        return new RowMapping(input, [SegmentationTransformer.Column([], [])], VolumeColumns.Names, row =>
        {
            var volume = VolumeColumns.Reader(row);
            return () =>
            {
                var predicted = Model.Segment(volume(), 0, MirrorTta).Data;
                var labels = new byte[predicted.Length];
                for (int i = 0; i < labels.Length; i++) labels[i] = (byte)predicted[i];
                return [labels];
            };
        });
    }
}
