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
    public static bool ResetPeak()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
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

    /// <summary>The most resident bytes since the last <see cref="ResetPeak"/> (Linux: VmHWM), at least <see cref="Resident"/>.</summary>
    public static long Peak()
    {
        long now = Resident;
        if (!OperatingSystem.IsLinux()) return now;
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal)
                    && long.TryParse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb))
                    return Math.Max(now, kb * 1024);
        }
        catch (IOException)
        {
            // No status file to read: the resident bytes now are the best we know.
        }
        return now;
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
