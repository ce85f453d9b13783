using System.Runtime.InteropServices;
using MLCardiac.Server;

namespace MLCardiac.Tests.Server;

/// <summary>
/// What the service's memory budget reads and does to the process: the peak resident set (how the warm-up measures the
/// networks' working memory) and trimming the native heap (how freed libtorch/ONNX Runtime memory goes back).
/// </summary>
[TestClass]
public sealed class ProcessMemoryTests
{
    private const long Block = 64 << 10, Total = 256L << 20;

    [TestMethod]
    public void Peak_SeesATransientNativeAllocation_UntilReset()
    {
        if (!ProcessMemory.ResetPeak()) Assert.Inconclusive("needs Linux's /proc/self/clear_refs");
        long before = ProcessMemory.Resident;
        nint block = Marshal.AllocHGlobal((nint)Total);
        try
        {
            Touch(block, Total);
        }
        finally
        {
            Marshal.FreeHGlobal(block);
        }

        long peak = ProcessMemory.Peak();
        ProcessMemory.ResetPeak();
        long afterReset = ProcessMemory.Peak();

        Assert.IsGreaterThanOrEqualTo(before + Total * 3 / 4, peak, $"peak {peak >> 20} MiB, before {before >> 20} MiB");
        Assert.IsLessThan(before + Total / 2, afterReset, $"after the reset {afterReset >> 20} MiB, before {before >> 20} MiB");
    }

    [TestMethod]
    public void TrimNativeHeap_ReturnsFreedBlocksMallocKept()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("malloc_trim is glibc's");
        // Blocks below malloc's mmap threshold come from its heap; with the last one still held, the freed ones below it
        // stay in the process (malloc trims only a free top of the heap on its own) until malloc_trim returns their pages.
        var blocks = new nint[Total / Block];
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i] = Marshal.AllocHGlobal((nint)Block);
            Touch(blocks[i], Block);
        }
        long held = ProcessMemory.Resident;
        for (int i = 0; i < blocks.Length - 1; i++) Marshal.FreeHGlobal(blocks[i]);
        try
        {
            long freed = ProcessMemory.Resident;
            ProcessMemory.TrimNativeHeap();
            long trimmed = ProcessMemory.Resident;

            Assert.IsGreaterThan(held - Total / 4, freed, $"malloc keeps freed blocks: held {held >> 20} MiB, after free {freed >> 20} MiB");
            Assert.IsLessThan(held - Total * 3 / 4, trimmed, $"trimmed: held {held >> 20} MiB, after trim {trimmed >> 20} MiB");
        }
        finally
        {
            Marshal.FreeHGlobal(blocks[^1]);
        }
    }

    [TestMethod]
    public void Status_ReadsAnotherProcesssFigures_AndNothingOnceItHasGone()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("needs Linux's /proc");
        using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        long? rss = ProcessMemory.Status(child.Id, "VmRSS"), peak = ProcessMemory.Status(child.Id, "VmHWM");
        bool reset = ProcessMemory.ResetPeak(child.Id);
        child.Kill();
        child.WaitForExit();

        // sleep's resident set is a few MiB, far below this test host's; VmHWM is never below VmRSS.
        Assert.IsNotNull(rss);
        Assert.IsNotNull(peak);
        Assert.IsTrue(rss > 0 && rss < ProcessMemory.Resident / 4, $"sleep's RSS {rss} bytes, ours {ProcessMemory.Resident}");
        Assert.IsGreaterThanOrEqualTo(rss.Value, peak.Value);
        Assert.IsTrue(reset, "a child of ours can have its peak reset");
        Assert.IsNull(ProcessMemory.Status(child.Id, "VmRSS"), "a reaped process has no status");
        Assert.IsNull(ProcessMemory.Status(Environment.ProcessId, "VmNoSuchKey"));
        Assert.IsFalse(ProcessMemory.ResetPeak(child.Id), "nor a peak to reset");
    }

    private static void Touch(nint block, long bytes)
    {
        for (long i = 0; i < bytes; i += 4096) Marshal.WriteByte(block, (int)i, 1);
    }
}
