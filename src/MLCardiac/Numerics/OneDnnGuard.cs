using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace MLCardiac.Numerics;

/// <summary>
/// Keeps libtorch's oneDNN (the CPU convolution library inside libtorch 2.10) on its AVX (AVX1) kernels on AMD processors
/// with AVX-512, by setting <c>DNNL_MAX_CPU_ISA=AVX</c> in the process environment when this assembly loads — before
/// libtorch creates its first oneDNN primitive, which is when oneDNN reads the variable.
/// </summary>
/// <remarks>
/// <para>Why, measured on the 2-core AMD EPYC (Zen 5: avx512f, avx512_bf16, avx512_vp2intersect) development machine of
/// 2026-12-03 by comparing float32 against float64 (which oneDNN does not run) on 80 shapes per operation
/// (<c>OneDnnConvolutionTests</c>): oneDNN's backward-data kernel of 3×3 convolutions — the gradient with respect to the
/// input — is wrong (relative error 0.3–0.9, sometimes NaN): the test finds 16 of its 320 convolutions wrong with oneDNN's
/// AVX2 kernels and 17–23 with its own choice (AVX-512), and the first probes found the same with AVX2_VNNI, AVX512_CORE
/// and AVX512_CORE_VNNI, while forward outputs and weight gradients are right.
/// Training then goes wrong silently: the ring-phantom U-Net test reached validation Dice 0.000–0.67 instead of &gt; 0.8,
/// other runs reached NaN weights with a finite loss. With the AVX and SSE41 kernels all 320 checks are right and those
/// trainings were correct. Between those two, AVX is the faster: the U-Net of the README's speed figures (16 filters,
/// depth 4, 128², batch 8, 2 threads) trained at 17–18 slices/s against 11–12 with SSE41 (and 37 with the faulty default),
/// measured side by side in one session.</para>
/// <para>A value the user set is never overridden, so <c>DNNL_MAX_CPU_ISA=ALL</c> (or any other) still selects the
/// kernels explicitly, and <c>OneDnnConvolutionTests</c> says whether that value is safe on the machine. Intel processors
/// are left alone: no fault was seen on them. The variable is set with libc's <c>setenv</c> because native code reads the
/// C environment, which .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not change on Unix.</para>
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
        if (!string.IsNullOrEmpty(Effective) || !OperatingSystem.IsLinux() || !IsAmdWithAvx512()) return;
        const string cap = "AVX";
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
