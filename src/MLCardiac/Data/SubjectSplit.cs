namespace MLCardiac.Data;

/// <summary>
/// Splits records by subject — a subject's ED and ES frames (and so all its slices) always land on the same
/// side — by vendor, leave-one-vendor-out, at random with a seed, or into cross-validation folds.
/// </summary>
public static class SubjectSplit
{
    /// <summary>Records whose vendor is in <paramref name="vendors"/>, and the others.</summary>
    public static (IReadOnlyList<CaseRecord> Selected, IReadOnlyList<CaseRecord> Others) ByVendor(IEnumerable<CaseRecord> records, IEnumerable<string> vendors)
    {
        ArgumentNullException.ThrowIfNull(records);
        var set = vendors.ToHashSet(StringComparer.Ordinal);
        var all = records.ToList();
        return (all.Where(r => set.Contains(r.Vendor)).ToList(), all.Where(r => !set.Contains(r.Vendor)).ToList());
    }

    /// <summary>One (train, held-out) pair per vendor: the held-out side is that vendor, training the others.</summary>
    public static IEnumerable<(string HeldOutVendor, IReadOnlyList<CaseRecord> Train, IReadOnlyList<CaseRecord> HeldOut)> LeaveOneVendorOut(IEnumerable<CaseRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var all = records.ToList();
        foreach (string v in all.Select(r => r.Vendor).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var (heldOut, train) = ByVendor(all, new[] { v });
            yield return (v, train, heldOut);
        }
    }

    /// <summary>
    /// Random subject split: about <paramref name="fraction"/> of each vendor's subjects go to the second list
    /// (at least one when a vendor has two or more subjects). When the records come from several sources
    /// (<see cref="CaseRecord.Source"/>), each source's vendors are split apart, so every source keeps its share. The same
    /// seed gives the same split.
    /// </summary>
    public static (IReadOnlyList<CaseRecord> First, IReadOnlyList<CaseRecord> Second) BySubject(IEnumerable<CaseRecord> records, double fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (!(fraction is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be in [0, 1)");
        var all = records.ToList();
        var second = new HashSet<string>(StringComparer.Ordinal);
        foreach (var vendor in all.GroupBy(Stratum(all), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            string[] subjects = vendor.Select(r => r.Subject).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var rng = new Random(unchecked(seed * 486187739 + StableHash(vendor.Key)));
            rng.Shuffle(subjects);
            int n = (int)Math.Round(subjects.Length * fraction);
            if (fraction > 0 && n == 0 && subjects.Length >= 2) n = 1;
            second.UnionWith(subjects.Take(n));
        }
        return (all.Where(r => !second.Contains(r.Subject)).ToList(), all.Where(r => second.Contains(r.Subject)).ToList());
    }

    /// <summary>
    /// <paramref name="folds"/> cross-validation folds by subject, stratified by vendor (by source and vendor when the records come from several sources): each vendor's subjects, shuffled with
    /// <paramref name="seed"/>, are dealt to the folds in turn (the deal continues from vendor to vendor, so fold sizes
    /// differ by at most one subject). Fold <c>k</c>'s validation side is its subjects, its training side every other
    /// fold's; every subject is validated exactly once — its out-of-fold prediction. The same seed gives the same folds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 folds, or more folds than subjects.</exception>
    public static IReadOnlyList<(IReadOnlyList<CaseRecord> Train, IReadOnlyList<CaseRecord> Validation)> Folds(IEnumerable<CaseRecord> records, int folds, int seed)
    {
        ArgumentNullException.ThrowIfNull(records);
        var all = records.ToList();
        int subjectCount = all.Select(r => r.Subject).Distinct(StringComparer.Ordinal).Count();
        if (folds < 2 || folds > subjectCount)
            throw new ArgumentOutOfRangeException(nameof(folds), folds, $"needs 2 to {subjectCount} folds (one per subject at most)");
        var foldOf = new Dictionary<string, int>(StringComparer.Ordinal);
        int next = 0;
        foreach (var vendor in all.GroupBy(Stratum(all), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            string[] subjects = vendor.Select(r => r.Subject).Distinct(StringComparer.Ordinal).Where(s => !foldOf.ContainsKey(s)).Order(StringComparer.Ordinal).ToArray();
            new Random(unchecked(seed * 486187739 + StableHash(vendor.Key) + 7919)).Shuffle(subjects);
            foreach (string subject in subjects) foldOf[subject] = next++ % folds;
        }
        return [.. Enumerable.Range(0, folds).Select(k => ((IReadOnlyList<CaseRecord>)all.Where(r => foldOf[r.Subject] != k).ToList(), (IReadOnlyList<CaseRecord>)all.Where(r => foldOf[r.Subject] == k).ToList()))];
    }

    /// <summary>
    /// The stratum of a record: its vendor, or <c>source/vendor</c> when the records come from several sources
    /// (<see cref="CaseRecord.Source"/>), so that every source's vendors are split apart.
    /// </summary>
    private static Func<CaseRecord, string> Stratum(IReadOnlyList<CaseRecord> all) =>
        all.Select(r => r.Source).Distinct().Skip(1).Any() ? r => $"{r.Source}/{r.Vendor}" : r => r.Vendor;

    private static int StableHash(string s)
    {
        unchecked
        {
            int h = (int)2166136261;
            foreach (char c in s) h = (h ^ c) * 16777619;
            return h;
        }
    }
}
