using System.Collections.Concurrent;

namespace MLCardiac.Server;

/// <summary>
/// The label volumes of recent results, gzip-compressed NIfTI bytes in memory (never on disk), downloadable for a
/// bounded time and up to a bounded count: past <see cref="ServerOptions.ResultLifetime"/> or beyond
/// <see cref="ServerOptions.MaxResults"/> (oldest first) a result is forgotten.
/// </summary>
public sealed class ResultStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _lifetime;
    private readonly int _max;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private long _sequence;

    /// <summary>Creates an empty store.</summary>
    public ResultStore(TimeSpan lifetime, int maxResults, TimeProvider? clock = null)
    {
        _lifetime = lifetime;
        _max = maxResults;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Results held now.</summary>
    public int Count => _entries.Count;

    /// <summary>Stores <paramref name="labelsGz"/> under <paramref name="id"/>; returns when it expires.</summary>
    public DateTimeOffset Add(string id, byte[] labelsGz)
    {
        DateTimeOffset now = _clock.GetUtcNow(), expires = now + _lifetime;
        lock (_gate)
        {
            Purge(now);
            while (_entries.Count >= _max)
            {
                string oldest = _entries.MinBy(e => e.Value.Sequence).Key;
                _entries.TryRemove(oldest, out _);
            }
            _entries[id] = new Entry(labelsGz, expires, ++_sequence);
        }
        return expires;
    }

    /// <summary>The stored bytes of <paramref name="id"/>, or null when unknown or expired.</summary>
    public byte[]? Get(string id)
    {
        if (!_entries.TryGetValue(id, out Entry? e)) return null;
        if (e.Expires <= _clock.GetUtcNow())
        {
            _entries.TryRemove(id, out _);
            return null;
        }
        return e.LabelsGz;
    }

    private void Purge(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
            if (entry.Expires <= now) _entries.TryRemove(key, out _);
    }

    private sealed record Entry(byte[] LabelsGz, DateTimeOffset Expires, long Sequence);
}
