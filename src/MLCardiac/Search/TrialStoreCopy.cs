namespace MLCardiac.Search;

/// <summary>
/// Moves searches between trial stores — typically one started on a laptop's SQLite file onto the PostgreSQL server its
/// workers share (<c>mlcardiac store copy --from reports/mlcardiac.db --to postgresql://…</c>). A search is copied whole:
/// its settings and fingerprint (so workers rebuild and resume it), every trial with its event numbers (so the tuner replays
/// to the same state and proposes what the source would have) and intermediate metrics. The source is only read.
/// </summary>
public static class TrialStoreCopy
{
    /// <summary>
    /// Copies search <paramref name="searchId"/> (null: every search of <paramref name="from"/>) into <paramref name="to"/>.
    /// Each search is imported in one transaction. A trial that is running in the source is copied as pending (its worker
    /// writes to the source, so in the copy someone must run it again).
    /// </summary>
    /// <returns>Per copied search: its id and number of trials.</returns>
    /// <exception cref="MLCardiacException">The search is not in the source, or already in the target.</exception>
    public static IReadOnlyList<(string SearchId, int Trials)> Copy(ITrialStore from, ITrialStore to, string? searchId = null)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        IReadOnlyList<string> ids = searchId is null ? from.ListSearches() : [searchId];
        if (ids.Count == 0) throw new MLCardiacException($"{from.Location}: holds no search to copy.");
        var copied = new List<(string, int)>();
        foreach (string id in ids)
        {
            StoredSearch search = from.LoadSearch(id) ?? throw new MLCardiacException($"{from.Location}: has no search \"{id}\" (it has: {string.Join(", ", from.ListSearches().DefaultIfEmpty("none"))}).");
            var trials = from.LoadTrials(id);
            to.Import(search, trials);
            copied.Add((id, trials.Count));
        }
        return copied;
    }
}
