namespace MLCardiac.Inference;

/// <summary>
/// An ensemble's forward pass: the members' probabilities, averaged (nnU-Net ensembles softmax outputs, not labels or
/// logits). Every member runs on the same slices; <see cref="VolumeSegmenter"/> then takes the arg-max, mirrors and
/// restores as for one network, so an ensemble is a model like any other for the pipeline, predict and serve.
/// </summary>
/// <remarks>One instance is not safe for concurrent calls. Owns its members.</remarks>
public sealed class EnsembleBackend : ISegmentationBackend
{
    private readonly ISegmentationBackend[] _members;
    private float[] _scratch = [];

    /// <summary>Averages <paramref name="members"/> (two or more, predicting the same classes); disposes them with itself.</summary>
    public EnsembleBackend(IReadOnlyList<ISegmentationBackend> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count < 2) throw new ArgumentException($"An ensemble needs at least two members ({members.Count} given).", nameof(members));
        if (members.Select(m => m.Classes).Distinct().Count() != 1) throw new ArgumentException("The members of an ensemble must predict the same classes.", nameof(members));
        _members = [.. members];
    }

    /// <summary>The members, in order.</summary>
    public IReadOnlyList<ISegmentationBackend> Members => _members;

    /// <inheritdoc />
    public string Name => $"ensemble of {_members.Length} ({_members[0].Name})";

    /// <inheritdoc />
    public int Classes => _members[0].Classes;

    /// <summary>True when any member sees stacks: every member is then given the whole volume at once.</summary>
    public bool WholeStack => _members.Any(m => m.WholeStack);

    /// <inheritdoc />
    public void Predict(ReadOnlySpan<float> slices, int count, int size, Span<float> probabilities)
    {
        if (_scratch.Length < probabilities.Length) _scratch = new float[probabilities.Length];
        Span<float> member = _scratch.AsSpan(0, probabilities.Length);
        _members[0].Predict(slices, count, size, probabilities);
        for (int m = 1; m < _members.Length; m++)
        {
            _members[m].Predict(slices, count, size, member);
            System.Numerics.Tensors.TensorPrimitives.Add(probabilities, member, probabilities);
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(probabilities, 1f / _members.Length, probabilities);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (ISegmentationBackend member in _members) member.Dispose();
    }
}
