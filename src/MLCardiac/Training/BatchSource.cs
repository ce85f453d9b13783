using System.Collections.Concurrent;

namespace MLCardiac.Training;

/// <summary>
/// The batches of one epoch, prepared in step order either on the caller's thread when it asks (no prefetch), or by one
/// background task that keeps up to <c>prefetch</c> prepared batches ready while the caller trains on the current one — a
/// bounded producer/consumer queue over a fixed set of reused buffers, so memory stays at prefetch + 1 batches. The
/// background task prepares step after step in order, so a preparation that consumes a shared random stream draws
/// exactly what it would draw inline. An exception in the background surfaces from <see cref="Next"/>.
/// </summary>
/// <typeparam name="T">A batch's buffers.</typeparam>
internal sealed class BatchSource<T> : IDisposable where T : class
{
    private readonly Action<T, int> _prepare;
    private readonly T? _inline;
    private readonly BlockingCollection<T>? _free, _ready;
    private readonly CancellationTokenSource? _stop;
    private readonly Task? _producer;
    private Exception? _failure;

    /// <summary>Prepares <paramref name="steps"/> batches with <paramref name="prepare"/> (buffer, step).</summary>
    public BatchSource(int prefetch, Func<T> create, int steps, Action<T, int> prepare, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefetch);
        _prepare = prepare;
        if (prefetch == 0)
        {
            _inline = create();
            return;
        }
        _free = new BlockingCollection<T>(new ConcurrentQueue<T>());
        _ready = new BlockingCollection<T>(new ConcurrentQueue<T>(), prefetch);
        for (int i = 0; i <= prefetch; i++) _free.Add(create(), cancellationToken);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CancellationToken stop = _stop.Token;
        _producer = Task.Factory.StartNew(() =>
        {
            try
            {
                for (int step = 0; step < steps; step++)
                {
                    T buffer = _free.Take(stop);
                    _prepare(buffer, step);
                    _ready.Add(buffer, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e) { _failure = e; }
            finally { _ready.CompleteAdding(); }
        }, stop, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The batch of <paramref name="step"/> (steps are asked for in order); give it back with <see cref="Return"/>.</summary>
    public T Next(int step)
    {
        if (_inline is not null)
        {
            _prepare(_inline, step);
            return _inline;
        }
        if (_ready!.TryTake(out T? batch, Timeout.Infinite, _stop!.Token)) return batch;
        if (_failure is not null) throw new InvalidOperationException($"Preparing the batch of step {step} failed: {_failure.Message}", _failure);
        _stop.Token.ThrowIfCancellationRequested();
        throw new InvalidOperationException($"No batch for step {step}: the epoch's batches ran out.");
    }

    /// <summary>Hands a batch's buffers back for reuse once its step is done with them.</summary>
    public void Return(T batch)
    {
        if (_free is not null && !_free.IsAddingCompleted) _free.Add(batch);
    }

    /// <summary>Stops the background task (a cancelled or finished epoch) and waits for it.</summary>
    public void Dispose()
    {
        if (_stop is null) return;
        _stop.Cancel();
        try { _producer!.Wait(); }
        catch (AggregateException) { }
        _free!.CompleteAdding();
        _stop.Dispose();
        _free.Dispose();
        _ready!.Dispose();
    }
}
