namespace MLCardiac.Cli;

/// <summary>An <see cref="IProgress{T}"/> that runs its callback on the reporting thread, at once
/// (<see cref="Progress{T}"/> posts to a synchronisation context, which a console app does not have).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly object _gate = new();

    /// <inheritdoc/>
    public void Report(T value)
    {
        lock (_gate) report(value);
    }
}
