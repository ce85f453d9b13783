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
/// <para>The AVX kernels have a fault of their own, found on 2026-12-04 (channel sweep 1–48, float32 against float64, in
/// <c>OneDnnConvolutionTests</c>): every convolution with a kernel wider than 1 — 2D or 3D, 3×3, 5×5, 1×3×3, 3×3×3, strided
/// 1×2×2 — gives a wrong output or input gradient (relative error 0.1–0.5, sometimes NaN) when its input has more than 8
/// channels and not a multiple of 8 (9–15, 17–23, …); the number of output channels does not matter, and 1×1 and transposed
/// convolutions are right. AVX2 and the default kernels fail the same way, SSE41 not. Our networks' default widths (powers of
/// two, 8 or more filters) never meet it, but a width such as 6 or 12 would, silently. <see cref="Check{T}"/> therefore refuses
/// to build such a network while the fault applies (<see cref="ChannelFaultApplies"/>), naming the layer and the two ways out: a
/// width whose every convolution sees ≤ 8 channels or a multiple of 8, or <c>DNNL_MAX_CPU_ISA=SSE41</c> (right for every width;
/// training measured 21 % slower and TorchSharp inference 34 % slower than AVX on this machine, bench <c>train</c>).</para>
/// <para>A faster way out, measured on 2026-12-04 and rejected: oneDNN's channels-last (NHWC, NDHWC) kernels at its
/// default level. Convolution by convolution they look right: 3×3, strided 3×3, 1×1 and 2×2 transposed convolutions over
/// channels-last tensors passed 384 float64 checks (1–48 channels, 6²–48²) except where one channel makes the layout
/// ambiguous and oneDNN falls back to NCHW; 2D and 3D sweeps over 2–256 channels found 0 of 129 wrong (NCHW: 13), and with
/// only the input channels-last 0 of 329 over 2–48 channels, 9–15 included. A training step of the speed figures' U-Net
/// (bench <c>breakdown</c>, activations channels-last) took 523–546 ms against 737–747 ms with the AVX cap, 1.4× faster.
/// But whole networks, made channels-last by a forward pre-hook on every convolution and compared with float64
/// (<c>NetworkGradientTests</c>), were not: the 3D U-Net's early-layer gradients were off by 1–3 % (under the test's 0.1 % with
/// the AVX cap), and the ResNet vendor classifier's float32 training step crashed the process (SIGSEGV; once "double free or
/// corruption"). Channels-last at the AVX cap is right but no faster (9.1–11.8 slices/s against 10.7–10.9), so the cap
/// stays.</para>
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

    /// <summary>
    /// True on an AMD processor with AVX-512 unless the user chose SSE41 (or a lower level): libtorch's convolutions are then
    /// wrong for input channel counts above 8 that are not multiples of 8 (see the remarks).
    /// </summary>
    public static bool ChannelFaultApplies =>
        IsAmdWithAvx512() && !(Effective is { } isa && isa.Equals("SSE41", StringComparison.OrdinalIgnoreCase));

    /// <summary>True when a convolution over <paramref name="inputChannels"/> channels is right whatever the fault: ≤ 8, or a multiple of 8.</summary>
    public static bool SafeInputChannels(long inputChannels) => inputChannels <= 8 || inputChannels % 8 == 0;

    /// <summary>
    /// Returns <paramref name="network"/> after checking, while <see cref="ChannelFaultApplies"/>, that none of its
    /// convolutions with a kernel wider than 1 sees an input channel count that libtorch computes wrongly here; otherwise
    /// disposes it and throws <see cref="MLCardiacException"/> naming the layer, its channels and the ways out.
    /// </summary>
    public static T Check<T>(T network) where T : TorchSharp.torch.nn.Module
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!ChannelFaultApplies) return network;
        foreach (var (name, module) in network.named_modules())
        {
            TorchSharp.torch.Tensor? weight = module switch
            {
                TorchSharp.Modules.Conv2d c => c.weight,
                TorchSharp.Modules.Conv3d c => c.weight,
                TorchSharp.Modules.Conv1d c => c.weight,
                _ => null,
            };
            if (weight is null) continue;
            long inputs = weight.shape[1], kernel = weight.shape.Skip(2).Aggregate(1L, (a, b) => a * b);
            if (kernel > 1 && !SafeInputChannels(inputs))
            {
                string kind = network.GetType().Name;
                network.Dispose();
                throw new MLCardiacException(
                    $"{kind}: layer {name} convolves {inputs} input channels, which libtorch computes wrongly on this CPU (AMD with AVX-512, oneDNN's {Effective ?? "default"} kernels: every convolution over more than 8 channels that are not a multiple of 8). "
                    + "Choose a width whose every convolution sees at most 8 channels or a multiple of 8 (base filters 1, 2, 4, 8, 16, 24, 32, …), or start with DNNL_MAX_CPU_ISA=SSE41 (right for every width, about 20 % slower training).");
            }
        }
        return network;
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
