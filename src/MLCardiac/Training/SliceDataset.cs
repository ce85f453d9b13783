namespace MLCardiac.Training;

/// <summary>A set of equally sized <see cref="TrainingSlice"/>s and the names of their domains (vendors).</summary>
public sealed class SliceDataset
{
    /// <summary>Creates a dataset; every slice must have the same size and a domain index within <paramref name="domains"/>.</summary>
    public SliceDataset(IReadOnlyList<TrainingSlice> slices, IReadOnlyList<string> domains)
    {
        ArgumentNullException.ThrowIfNull(slices);
        ArgumentNullException.ThrowIfNull(domains);
        if (slices.Count == 0) throw new ArgumentException("A dataset needs at least one slice.", nameof(slices));
        Height = slices[0].Height;
        Width = slices[0].Width;
        foreach (var s in slices)
        {
            if (s.Height != Height || s.Width != Width)
                throw new ArgumentException($"All slices must be {Height}×{Width}; subject {s.Subject} has {s.Height}×{s.Width}.", nameof(slices));
            if (s.Domain >= domains.Count)
                throw new ArgumentException($"Subject {s.Subject} has domain index {s.Domain} but only {domains.Count} domains are named.", nameof(slices));
        }
        Slices = slices;
        Domains = domains;
    }

    /// <summary>
    /// The volumes (<see cref="TrainingSlice.Volume"/>) as runs of consecutive slices: (first slice index, slice count), in
    /// order. Throws <see cref="MLCardiacException"/> when a slice has no volume number or a volume's slices are not
    /// consecutive — what a 3D network's training needs.
    /// </summary>
    public IReadOnlyList<(int Start, int Count)> Volumes => _volumes ??= FindVolumes(Slices);
    private IReadOnlyList<(int Start, int Count)>? _volumes;

    private static (int Start, int Count)[] FindVolumes(IReadOnlyList<TrainingSlice> slices)
    {
        var runs = new List<(int Start, int Count)>();
        var seen = new HashSet<int>();
        for (int i = 0; i < slices.Count;)
        {
            int v = slices[i].Volume;
            if (v < 0) throw new MLCardiacException($"Slice {i} (subject {slices[i].Subject}) has no volume number: stacks cannot be formed.");
            if (!seen.Add(v)) throw new MLCardiacException($"The slices of volume {v} (subject {slices[i].Subject}) are not consecutive.");
            int j = i;
            while (j < slices.Count && slices[j].Volume == v) j++;
            runs.Add((i, j - i));
            i = j;
        }
        return [.. runs];
    }

    /// <summary>The slices.</summary>
    public IReadOnlyList<TrainingSlice> Slices { get; }
    /// <summary>Domain (vendor) names; <see cref="TrainingSlice.Domain"/> indexes this list.</summary>
    public IReadOnlyList<string> Domains { get; }
    /// <summary>Rows of every slice.</summary>
    public int Height { get; }
    /// <summary>Columns of every slice.</summary>
    public int Width { get; }
}
