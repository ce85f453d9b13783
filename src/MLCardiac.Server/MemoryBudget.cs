using System.Globalization;

namespace MLCardiac.Server;

/// <summary>
/// The service's memory budget: every request reserves, before it allocates, the bytes it will hold — its upload as
/// it arrives, then the decoded image, the label volume and the model's working set, computed from the header's
/// declared voxels before anything is decoded — against one global capacity. A reservation that does not fit is
/// refused (the request gets 503 with Retry-After), so the memory held by requests never exceeds the capacity
/// however many arrive, stall or lie about their size.
/// </summary>
/// <remarks>
/// The capacity is what requests may use: the process's budget (<c>--memory-budget</c>) less what the process held
/// once the model was loaded and warmed up (<see cref="SetBaseline"/>). When a burst is over (nothing reserved for
/// <see cref="GiveBackDelay"/> after at least <see cref="GiveBackThresholdBytes"/> were released) the service runs
/// one aggressive, compacting collection so the freed memory goes back to the operating system.
/// </remarks>
public sealed class MemoryBudget : IDisposable
{
    /// <summary>Share of the memory available to the process (container/cgroup limit, GC heap limit or RAM) taken as the default budget.</summary>
    public const double DefaultShareOfAvailable = 0.75;

    /// <summary>Released bytes since the last give-back after which an idle service collects and returns memory: 64 MiB.</summary>
    public const long GiveBackThresholdBytes = 64L << 20;

    /// <summary>How long the budget must stay idle (nothing reserved) before memory is given back.</summary>
    public static readonly TimeSpan GiveBackDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long after a refusal the budget still counts as exhausted in <c>/healthz</c>.</summary>
    public static readonly TimeSpan ExhaustedWindow = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly ITimer _giveBack;
    private long _reserved, _releasedSinceGiveBack, _capacity;
    private DateTimeOffset _lastRefusal = DateTimeOffset.MinValue;

    /// <summary>Creates a budget of <paramref name="budgetBytes"/> for the whole process; requests get all of it until <see cref="SetBaseline"/>.</summary>
    public MemoryBudget(long budgetBytes, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, 1);
        BudgetBytes = budgetBytes;
        _capacity = budgetBytes;
        _clock = clock ?? TimeProvider.System;
        _giveBack = _clock.CreateTimer(_ => GiveBack(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The process's memory budget, bytes.</summary>
    public long BudgetBytes { get; }

    /// <summary>What the process held before serving (model loaded and warmed up), bytes; 0 until <see cref="SetBaseline"/>.</summary>
    public long BaselineBytes { get; private set; }

    /// <summary>What requests may reserve together: <see cref="BudgetBytes"/> − <see cref="BaselineBytes"/>.</summary>
    public long CapacityBytes => Volatile.Read(ref _capacity);

    /// <summary>Bytes reserved now.</summary>
    public long ReservedBytes => Volatile.Read(ref _reserved);

    /// <summary>Times memory was given back to the operating system after a burst.</summary>
    public int GiveBacks { get; private set; }

    /// <summary>True when less than 5 % of the capacity is free, or a reservation was refused in the last <see cref="ExhaustedWindow"/>.</summary>
    public bool IsExhausted
    {
        get
        {
            lock (_gate)
                return _reserved > CapacityBytes - CapacityBytes / 20 || _clock.GetUtcNow() - _lastRefusal < ExhaustedWindow;
        }
    }

    /// <summary>
    /// Records what the process holds before serving (<paramref name="baselineBytes"/>, e.g. its resident set once the model
    /// is loaded): requests may then reserve the rest of the budget.
    /// </summary>
    /// <exception cref="MLCardiacException">The baseline leaves less than 64 MiB of the budget for requests.</exception>
    public void SetBaseline(long baselineBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(baselineBytes);
        if (BudgetBytes - baselineBytes < 64L << 20)
            throw new MLCardiacException(string.Create(CultureInfo.InvariantCulture,
                $"--memory-budget {Format(BudgetBytes)}: the loaded model already holds {Format(baselineBytes)}, which leaves less than 64 MiB for requests; give a larger budget."));
        BaselineBytes = baselineBytes;
        Volatile.Write(ref _capacity, BudgetBytes - baselineBytes);
    }

    /// <summary>
    /// Makes the GC hold the process to the budget: its heap hard limit becomes the budget less the process's native
    /// memory at the baseline (resident set minus the GC's committed bytes), so garbage between collections cannot carry
    /// the resident set past the budget — reservations bound what requests keep alive, the limit bounds what they leave
    /// behind. Process-wide: only for a process that is the service. Returns the limit.
    /// </summary>
    /// <exception cref="MLCardiacException">The GC cannot take the limit (it already holds more).</exception>
    public long LimitManagedHeap()
    {
        long native = Math.Max(0, BaselineBytes - GC.GetGCMemoryInfo().TotalCommittedBytes);
        long limit = BudgetBytes - native;
        try
        {
            AppContext.SetData("GCHeapHardLimit", (ulong)limit);
            GC.RefreshMemoryLimit();
        }
        catch (InvalidOperationException e)
        {
            throw new MLCardiacException($"--memory-budget {Format(BudgetBytes)}: the .NET heap cannot be limited to {Format(limit)} ({e.Message}); give a larger budget.", e);
        }
        return limit;
    }

    /// <summary>Reserves <paramref name="bytes"/> (≥ 0) in a new reservation; null when it does not fit.</summary>
    public Reservation? TryReserve(long bytes)
    {
        var reservation = new Reservation(this);
        return reservation.TryGrow(bytes) ? reservation : null;
    }

    /// <summary>The default budget: <see cref="DefaultShareOfAvailable"/> of the memory available to this process (see <see cref="AvailableBytes"/>).</summary>
    public static long DefaultBudgetBytes() => (long)(AvailableBytes() * DefaultShareOfAvailable);

    /// <summary>
    /// The memory this process may use: the smallest of the GC's view (its heap hard limit when set, else the container
    /// limit or the machine's memory) and the cgroup v2/v1 memory limit when one is set.
    /// </summary>
    public static long AvailableBytes()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        foreach (string file in new[] { "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes" })
        {
            try
            {
                if (File.Exists(file) && long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long limit) && limit > 0)
                    available = Math.Min(available, limit);
            }
            catch (IOException)
            {
                // An unreadable cgroup file means no limit we can know of; the GC's view stands.
            }
            catch (UnauthorizedAccessException)
            {
                // Same.
            }
        }
        return available;
    }

    /// <summary>Parses a size: bytes, or a number with k, m, g (KiB, MiB, GiB), e.g. <c>1.5g</c>, <c>800m</c>.</summary>
    /// <exception cref="MLCardiacException">Not a positive size.</exception>
    public static long ParseSize(string text, string option)
    {
        string t = (text ?? "").Trim().ToLowerInvariant().TrimEnd('b', 'i');
        long unit = 1;
        if (t.Length > 0 && t[^1] is 'k' or 'm' or 'g')
        {
            unit = t[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, _ => 1L << 30 };
            t = t[..^1];
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) || !double.IsFinite(n) || n <= 0 || n * unit > long.MaxValue / 2)
            throw new MLCardiacException($"{option} {text}: not a size (write bytes, or a number with k, m or g, e.g. 1.5g).");
        return (long)(n * unit);
    }

    /// <summary>A size in MiB for messages.</summary>
    public static string Format(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F0} MiB");

    /// <summary>Stops the give-back timer.</summary>
    public void Dispose() => _giveBack.Dispose();

    private bool TryAdd(long bytes)
    {
        lock (_gate)
        {
            if (_reserved + bytes > CapacityBytes)
            {
                _lastRefusal = _clock.GetUtcNow();
                return false;
            }
            _reserved += bytes;
            _giveBack.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return true;
        }
    }

    private void Release(long bytes)
    {
        lock (_gate)
        {
            _reserved -= bytes;
            _releasedSinceGiveBack += bytes;
            if (_reserved == 0 && _releasedSinceGiveBack >= GiveBackThresholdBytes)
                _giveBack.Change(GiveBackDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void GiveBack()
    {
        lock (_gate)
        {
            if (_reserved != 0) return;
            _releasedSinceGiveBack = 0;
            GiveBacks++;
        }
        // An aggressive collection compacts the large-object heap and decommits free regions: the memory of the burst's
        // images goes back to the operating system instead of staying in the process's resident set. The native heap
        // (libtorch's and ONNX Runtime's freed blocks, which malloc keeps in its arenas) is trimmed after it.
        ProcessMemory.Settle();
    }

    /// <summary>Bytes held by one request; grows as the request learns what it needs, released together when disposed.</summary>
    public sealed class Reservation : IDisposable
    {
        private readonly MemoryBudget _budget;
        private long _bytes;

        internal Reservation(MemoryBudget budget) => _budget = budget;

        /// <summary>Bytes held by this reservation.</summary>
        public long Bytes => Volatile.Read(ref _bytes);

        /// <summary>Adds <paramref name="bytes"/> (≥ 0) when the budget has room; false (and nothing added) when not.</summary>
        public bool TryGrow(long bytes)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(bytes);
            ObjectDisposedException.ThrowIf(_bytes < 0, this);
            if (!_budget.TryAdd(bytes)) return false;
            Interlocked.Add(ref _bytes, bytes);
            return true;
        }

        /// <summary>Gives every byte back to the budget.</summary>
        public void Dispose()
        {
            long bytes = Interlocked.Exchange(ref _bytes, -1);
            if (bytes > 0) _budget.Release(bytes);
        }
    }
}
