using static TorchSharp.torch;

namespace MLCardiac.Onnx;

/// <summary>
/// The weights of a TorchSharp module by state-dict key, as float arrays; remembers which keys the exporter used so
/// that a parameter it does not know about (an architecture change the exporter has not caught up with) is an
/// error instead of a silently wrong graph.
/// </summary>
internal sealed class StateDictReader
{
    private readonly Dictionary<string, (float[] Data, long[] Shape)> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public StateDictReader(nn.Module module)
    {
        foreach (var (key, tensor) in module.state_dict())
        {
            if (tensor.dtype is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Int64))
                throw new MLCardiacException($"ONNX export: parameter {key} has type {tensor.dtype}; only float weights are exported.");
            using var t = tensor.detach().cpu().to(ScalarType.Float32).contiguous();
            _values[key] = (t.data<float>().ToArray(), tensor.shape.ToArray());
        }
    }

    /// <summary>The values of <paramref name="key"/>; throws when the module has no such parameter or buffer.</summary>
    public (float[] Data, long[] Shape) this[string key]
    {
        get
        {
            if (!_values.TryGetValue(key, out var v))
                throw new MLCardiacException($"ONNX export: the network has no parameter {key}; the exporter and the architecture disagree.");
            _used.Add(key);
            return v;
        }
    }

    /// <summary>Whether the module has <paramref name="key"/>.</summary>
    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>Marks keys that are deliberately not exported (training-only heads, counters).</summary>
    public void Ignore(Func<string, bool> predicate)
    {
        foreach (string key in _values.Keys) if (predicate(key)) _used.Add(key);
    }

    /// <summary>Throws when a parameter was neither exported nor ignored.</summary>
    public void CheckAllUsed(string network)
    {
        var unused = _values.Keys.Where(k => !_used.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unused.Count > 0)
            throw new MLCardiacException($"ONNX export of {network}: parameters {string.Join(", ", unused.Take(5))}{(unused.Count > 5 ? ", ..." : "")} belong to layers the exporter does not know.");
    }
}
