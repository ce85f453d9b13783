using Google.Protobuf;
using MLCardiac.Onnx.Protobuf;

namespace MLCardiac.Onnx;

/// <summary>What an ONNX file declares: its first input, its outputs, opset, producer and metadata (read without running it).</summary>
public sealed record OnnxModelInfo
{
    /// <summary>Name of the first graph input that is not an initializer.</summary>
    public required string InputName { get; init; }
    /// <summary>Its shape; null entries are dynamic dimensions.</summary>
    public required IReadOnlyList<long?> InputShape { get; init; }
    /// <summary>Names of the graph outputs, in order.</summary>
    public required IReadOnlyList<string> OutputNames { get; init; }
    /// <summary>Opset of the default ONNX domain (0 when the file imports none).</summary>
    public required long Opset { get; init; }
    /// <summary>producer_name and producer_version, joined by a space.</summary>
    public required string Producer { get; init; }
    /// <summary>The model's metadata_props.</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>Reads <paramref name="path"/>; throws <see cref="MLCardiacException"/> naming the file when it is missing or not an ONNX model.</summary>
    public static OnnxModelInfo Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new MLCardiacException($"{path}: no such ONNX file.");
        ModelProto model;
        try
        {
            using var fs = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(fs);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new MLCardiacException($"{path}: not an ONNX model ({e.Message}).", e);
        }
        var initializers = model.Graph?.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var input = model.Graph?.Input.FirstOrDefault(i => !initializers!.Contains(i.Name));
        if (model.IrVersion <= 0 || model.Graph is null || input is null || model.Graph.Output.Count == 0 || input.Type?.TensorType is null)
            throw new MLCardiacException($"{path}: not an ONNX model (no IR version, graph, tensor input or output).");
        return new OnnxModelInfo
        {
            InputName = input.Name,
            InputShape = input.Type.TensorType.Shape?.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : (long?)null).ToList() ?? [],
            OutputNames = model.Graph.Output.Select(o => o.Name).ToList(),
            Opset = model.OpsetImport.FirstOrDefault(o => o.Domain.Length == 0 || o.Domain == "ai.onnx")?.Version ?? 0,
            Producer = $"{model.ProducerName} {model.ProducerVersion}".Trim(),
            Metadata = model.MetadataProps.GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal),
        };
    }
}
