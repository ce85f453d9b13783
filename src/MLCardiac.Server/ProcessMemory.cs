using System.Globalization;
using System.Runtime.InteropServices;

namespace MLCardiac.Server;

/// <summary>
/// The process's resident memory as the operating system counts it — what <c>--memory-budget</c> bounds — and the
/// native heap behind it. libtorch (the quality-control stage's forward passes, the vendor classifier) and ONNX Runtime
/// allocate outside the .NET heap, through the C library's malloc, which keeps freed blocks in its arenas: the GC's
/// compacting collection gives back managed memory only, <see cref="TrimNativeHeap"/> the rest.
/// </summary>
internal static class ProcessMemory
{
    /// <summary>Resident bytes now (Linux: VmRSS).</summary>
    public static long Resident => Environment.WorkingSet;

    /// <summary>
    /// Starts a new peak: resets the kernel's high-water mark of the resident set (Linux, <c>/proc/self/clear_refs</c>).
    /// False where that cannot be done; <see cref="Peak"/> then reports the resident bytes when it is read.
    /// </summary>
    public static bool ResetPeak() => ResetPeak(Environment.ProcessId);

    /// <summary>
    /// Resets the high-water mark of process <paramref name="pid"/>'s resident set (<c>/proc/PID/clear_refs</c>, which
    /// takes this user's own processes); false where that cannot be done.
    /// </summary>
    public static bool ResetPeak(int pid)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The most resident bytes since the last <see cref="ResetPeak()"/> (Linux: VmHWM), at least <see cref="Resident"/>.</summary>
    public static long Peak()
    {
        long now = Resident;
        return Status(Environment.ProcessId, "VmHWM") is long peak ? Math.Max(now, peak) : now;
    }

    /// <summary>
    /// One memory figure of process <paramref name="pid"/> from the kernel's <c>/proc/PID/status</c>, in bytes
    /// (<paramref name="key"/> such as <c>VmRSS</c>, <c>VmHWM</c>); null where there is no such file, process or line.
    /// </summary>
    public static long? Status(int pid, string key)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
                if (line.Length > key.Length && line[key.Length] == ':' && line.StartsWith(key, StringComparison.Ordinal)
                    && long.TryParse(line.AsSpan(key.Length + 1).Trim().TrimEnd("kB").Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb))
                    return kb * 1024;
        }
        catch (IOException)
        {
            // The process has gone, or there is no /proc.
        }
        catch (UnauthorizedAccessException)
        {
            // Another user's process.
        }
        return null;
    }

    /// <summary>
    /// Returns the native heap's free memory to the operating system (glibc's <c>malloc_trim</c>, every arena); a no-op
    /// where there is no glibc (other systems, musl).
    /// </summary>
    public static void TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            _ = MallocTrim(0);
        }
        catch (DllNotFoundException)
        {
            // Not glibc: nothing to trim this way.
        }
        catch (EntryPointNotFoundException)
        {
            // Same (musl has no malloc_trim).
        }
    }

    /// <summary>
    /// Returns what the process no longer uses to the operating system: an aggressive, compacting collection (the large-
    /// object heap compacted, free regions decommitted), then <see cref="TrimNativeHeap"/>.
    /// </summary>
    public static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        TrimNativeHeap();
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
