using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace MLCardiac.Numerics;

/// <summary>
/// Keeps libtorch's oneDNN (the CPU convolution library inside libtorch 2.10) off its AVX-512 and AVX2 kernels on AMD
/// processors with AVX-512, by setting <c>DNNL_MAX_CPU_ISA=SSE41</c> in the process environment when this assembly loads —
/// before libtorch creates its first oneDNN primitive, which is when oneDNN reads the variable.
/// </summary>
/// <remarks>
/// <para>Why: on the 2-core AMD EPYC (Zen 5: avx512f, avx512_bf16, avx512_vp2intersect) development and CI machine of
/// 2026-12-03, training with two libtorch threads gave wrong results that changed from run to run (the ring-phantom
/// U-Net test reached validation Dice 0.000, then 0.455, then 0.458 instead of &gt; 0.8), while the same binary was
/// correct with one thread or with oneDNN capped at AVX2 (<c>DNNL_MAX_CPU_ISA=AVX2</c>; <c>ATEN_CPU_CAPABILITY=avx2</c>
/// alone did not help, so the fault is in oneDNN, not in ATen's own vectorised kernels). Capped at AVX2, other training
/// still went to NaN weights with a finite loss (heavy augmentation with dropout, a search refit), also with one thread;
/// capped at SSE4.1 (<c>DNNL_MAX_CPU_ISA=SSE41</c>) it was right. Wrong convolutions are a silent, catastrophic failure
/// for a segmentation tool; slower kernels cost far less than a wrong model.</para>
/// <para>A value the user set is never overridden, so <c>DNNL_MAX_CPU_ISA=AVX512_CORE</c> (or any other) still selects
/// the kernels explicitly. Intel processors are left alone: no fault was seen on them. The variable is set with libc's
/// <c>setenv</c> because native code reads the C environment, which .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// does not change on Unix.</para>
/// </remarks>
internal static class OneDnnGuard
{
    /// <summary>The oneDNN variable that caps the instruction set its kernels may use.</summary>
    public const string Variable = "DNNL_MAX_CPU_ISA";

    /// <summary>What this process runs with: the user's value, the cap set here, or null when oneDNN chooses freely.</summary>
    public static string? Effective { get; private set; }

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "The cap must be in the environment before any code of this library reaches libtorch; a library-level initializer is the one place that is guaranteed.")]
    internal static void Initialize()
    {
        Effective = Environment.GetEnvironmentVariable(Variable);
        if (Effective is not null || !OperatingSystem.IsLinux() || !IsAmdWithAvx512()) return;
        const string cap = "SSE41";
        if (SetEnv(Variable, cap, 0) == 0)
        {
            Environment.SetEnvironmentVariable(Variable, cap);
            Effective = cap;
        }
    }

    /// <summary>True on an x86 processor whose CPUID vendor is "AuthenticAMD" and that supports AVX-512F.</summary>
    internal static bool IsAmdWithAvx512()
    {
        if (!X86Base.IsSupported || !Avx512F.IsSupported) return false;
        (_, int ebx, int ecx, int edx) = X86Base.CpuId(0, 0);
        Span<int> vendor = [ebx, edx, ecx];
        return MemoryMarshal.AsBytes(vendor).SequenceEqual("AuthenticAMD"u8);
    }

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi)]
    private static extern int SetEnv(string name, string value, int overwrite);
}
