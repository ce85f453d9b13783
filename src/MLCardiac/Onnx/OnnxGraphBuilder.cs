using System.Runtime.InteropServices;
using Google.Protobuf;
using MLCardiac.Onnx.Protobuf;

namespace MLCardiac.Onnx;

/// <summary>
/// Appends ONNX nodes and constant initializers to a graph under unique names; the exporters describe a network
/// with it layer by layer. Float data are stored little-endian in <c>raw_data</c>, as the ONNX IR requires.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    public OnnxGraphBuilder(string name)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export writes little-endian raw data; this machine is big-endian.");
        Graph = new GraphProto { Name = name };
    }

    /// <summary>When set, the U-Net's convolutions are calibrated or emitted in int8 QDQ form (<see cref="Int8Quantization"/>).</summary>
    public Int8Quantization? Int8 { get; init; }

    /// <summary>The graph being built.</summary>
    public GraphProto Graph { get; }

    /// <summary>A float32 constant with dimensions <paramref name="dims"/>; returns its value name.</summary>
    public string Constant(string name, ReadOnlySpan<float> data, params long[] dims)
    {
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (count != data.Length) throw new ArgumentException($"{name}: {data.Length} values for dimensions [{string.Join(", ", dims)}].", nameof(data));
        var t = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data)) };
        t.Dims.AddRange(dims);
        Graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>A constant of 8/32-bit integers (quantized weights, zero points, quantized biases); returns its value name.</summary>
    public string IntegerConstant<T>(string name, TensorProto.Types.DataType type, ReadOnlySpan<T> data, params long[] dims) where T : unmanaged
    {
        var t = new TensorProto { Name = Unique(name), DataType = (int)type, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data)) };
        t.Dims.AddRange(dims);
        Graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>An int64 constant vector (shapes, axes); returns its value name.</summary>
    public string Int64Vector(string name, params long[] values)
    {
        var t = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.Add(values.Length);
        Graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>Adds a node of <paramref name="op"/> with one output; returns the output's value name.</summary>
    public string Node(string op, string name, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        NodeNamed(op, name, inputs, Unique(name), attributes);

    /// <summary>Adds a node whose single output gets exactly <paramref name="output"/> (a graph output).</summary>
    public string NodeNamed(string op, string name, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
    {
        _names.Add(output);
        var node = new NodeProto { OpType = op, Name = "node_" + output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    /// <summary>Declares a graph input or output of element type <paramref name="elementType"/>; a null dimension is dynamic and named by <paramref name="dynamicNames"/>.</summary>
    public static ValueInfoProto Value(string name, TensorProto.Types.DataType elementType, long?[] dims, params string[] dynamicNames)
    {
        var shape = new TensorShapeProto();
        int d = 0;
        foreach (long? dim in dims)
            shape.Dim.Add(dim is { } v ? new TensorShapeProto.Types.Dimension { DimValue = v } : new TensorShapeProto.Types.Dimension { DimParam = dynamicNames[d++] });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = shape } },
        };
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private string Unique(string name)
    {
        string candidate = name;
        while (!_names.Add(candidate)) candidate = $"{name}_{++_counter}";
        return candidate;
    }
}
