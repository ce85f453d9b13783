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

    /// <summary>The slices.</summary>
    public IReadOnlyList<TrainingSlice> Slices { get; }
    /// <summary>Domain (vendor) names; <see cref="TrainingSlice.Domain"/> indexes this list.</summary>
    public IReadOnlyList<string> Domains { get; }
    /// <summary>Rows of every slice.</summary>
    public int Height { get; }
    /// <summary>Columns of every slice.</summary>
    public int Width { get; }
}
