namespace MLCardiac.Server;

/// <summary>
/// Whether the most recent segmentation requests failed on the service's side (5xx: out of budget, queue full,
/// timed out, internal error), for <c>/healthz</c>; refusals of bad input (4xx) and client aborts do not count.
/// </summary>
public sealed class RequestOutcomes
{
    private readonly Lock _gate = new();
    private readonly bool[] _failed;
    private int _next, _count;

    /// <summary>Keeps the last <paramref name="window"/> outcomes.</summary>
    public RequestOutcomes(int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _failed = new bool[window];
    }

    /// <summary>Records one request's outcome.</summary>
    public void Record(bool failed)
    {
        lock (_gate)
        {
            _failed[_next] = failed;
            _next = (_next + 1) % _failed.Length;
            _count = Math.Min(_count + 1, _failed.Length);
        }
    }

    /// <summary>Failures among the recorded outcomes.</summary>
    public int Failures
    {
        get
        {
            lock (_gate)
                return _failed.Take(_count).Count(f => f);
        }
    }

    /// <summary>True when the window is full and every request in it failed.</summary>
    public bool AllRecentFailed
    {
        get
        {
            lock (_gate)
                return _count == _failed.Length && _failed.All(f => f);
        }
    }
}
