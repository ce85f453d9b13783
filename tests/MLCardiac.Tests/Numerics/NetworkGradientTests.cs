using MLCardiac.Models;
using MLCardiac.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Numerics;

/// <summary>
/// Every kind of network the library trains, built as the product builds it (through <see cref="OneDnnGuard.Check{T}"/>),
/// computes the same loss gradient for every parameter in float32 (libtorch's oneDNN kernels, at the level the guard
/// allows) as the same network in float64 (no oneDNN). A convolution anywhere in a network whose input gradient oneDNN
/// gets wrong corrupts the gradients of every layer before it, so this fails for any fault the guard misses: run with
/// <c>DNNL_MAX_CPU_ISA=ALL</c> on the AMD Zen 5 machine, six of the seven kinds fail (relative errors 0.2–0.9 or NaN).
/// </summary>
[TestClass]
public sealed class NetworkGradientTests
{
    private const double Tolerance = 1e-3;

    public static IEnumerable<object[]> Networks =>
    [
        ["U-Net 2D", (Func<nn.Module>)(() => SegmentationNetwork.Create(new UNetOptions { BaseFilters = 4, Depth = 3, DeepSupervision = true })), new long[] { 2, 1, 32, 32 }],
        ["U-Net 3D", (Func<nn.Module>)(() => SegmentationNetwork.Create(new UNetOptions { Kind = NetworkKind.UNet3d, BaseFilters = 4, Depth = 3 }.WithDefaults())), new long[] { 2, 1, 8, 32, 32 }],
        ["V-Net", (Func<nn.Module>)(() => SegmentationNetwork.Create(new UNetOptions { Kind = NetworkKind.VNet, BaseFilters = 4, Depth = 3 }.WithDefaults())), new long[] { 1, 1, 8, 32, 32 }],
        ["DANN", (Func<nn.Module>)(() => new DannNetwork(new UNetOptions { BaseFilters = 4, Depth = 3 }, domains: 2, hiddenDomainFeatures: 8, featureStage: 0)), new long[] { 2, 1, 32, 32 }],
        ["ResNet", (Func<nn.Module>)(() => new ResNetOptions { BaseWidth = 8, BlocksPerStage = [1, 2], Classes = 3 }.CreateNetwork()), new long[] { 3, 1, 32, 32 }],
        ["DenseNet", (Func<nn.Module>)(() => new DenseNetOptions { GrowthRate = 8, BlockSizes = [2, 1], InitialWidth = 16, Classes = 3 }.CreateNetwork()), new long[] { 3, 1, 32, 32 }],
        ["Inception", (Func<nn.Module>)(() => new InceptionOptions { BaseWidth = 16, ModulesPerStage = [1, 1], Classes = 3 }.CreateNetwork()), new long[] { 3, 1, 32, 32 }],
    ];

    [TestMethod]
    [DynamicData(nameof(Networks))]
    public void EveryParameterGradient_Float32AgreesWithFloat64(string kind, Func<nn.Module> build, long[] inputShape)
    {
        torch.manual_seed(11);
        using var net32 = build();
        // Built in float64 from the start: Module.to(dtype) fails on the classifiers (TorchSharp 0.107 reflects over their
        // overridden Options property twice). The tests run one at a time, so the default is safe to switch.
        nn.Module net64;
        torch.set_default_dtype(ScalarType.Float64);
        try { net64 = build(); }
        finally { torch.set_default_dtype(ScalarType.Float32); }
        using var owned64 = net64;
        using (torch.no_grad())
        {
            var source = net32.named_parameters().ToDictionary(e => e.name, e => e.parameter);
            foreach (var (name, p) in net64.named_parameters()) p.copy_(source[name]);
        }
        net32.train();
        net64.train();
        using var scope = torch.NewDisposeScope();
        Tensor x = randn(inputShape, ScalarType.Float64);

        Tensor loss32 = Loss(net32, x.to(ScalarType.Float32)), loss64 = Loss(net64, x);
        loss32.backward();
        loss64.backward();

        Assert.IsLessThan(Tolerance, Math.Abs(loss32.item<float>() - loss64.item<double>()) / (Math.Abs(loss64.item<double>()) + 1e-12), $"{kind}: loss");
        var grads64 = net64.named_parameters().ToDictionary(e => e.name, e => e.parameter.grad);
        var wrong = new List<string>();
        int compared = 0;
        double globalScale = grads64.Values.Where(g => g is not null).Max(g => g!.abs().max().item<double>());
        foreach (var (name, p) in net32.named_parameters())
        {
            Tensor? g32 = p.grad, g64 = grads64[name];
            if (g64 is null) { Assert.IsNull(g32, $"{kind}: {name} has a gradient in float32 only"); continue; }
            Assert.IsNotNull(g32, $"{kind}: {name} has no gradient in float32");
            // Relative to the parameter's own gradient, or to a thousandth of the largest one where that is smaller: a
            // convolution bias before instance normalisation has an exact gradient of 0, which float32 meets only to ~1e-8.
            double error = OneDnnConvolutionTests.Error(g32, g64, scaleFloor: 1e-3 * globalScale);
            compared++;
            if (!(error < Tolerance)) wrong.Add($"{name}: {error:E1}");
        }
        Assert.IsGreaterThan(4, compared, $"{kind}: too few gradients compared");
        Assert.IsEmpty(wrong, $"{kind} ({OneDnnGuard.Variable}={OneDnnGuard.Effective ?? "(default)"}): wrong gradients\n" + string.Join("\n", wrong.Take(10)));
    }

    /// <summary>A fixed random projection of everything the network outputs (segmentation logits and deep supervision, or class and domain logits).</summary>
    private static Tensor Loss(nn.Module net, Tensor x)
    {
        Tensor[] outputs = net switch
        {
            DannNetwork d => ForwardDann(d, x),
            SegmentationNetwork s => Outputs(s.ForwardAll(x)),
            nn.Module<Tensor, Tensor> m => [m.call(x)],
            _ => throw new ArgumentException(net.GetType().Name),
        };
        Tensor total = zeros(1, x.dtype);
        for (int i = 0; i < outputs.Length; i++)
        {
            torch.manual_seed(100 + i);
            total = total + (outputs[i] * randn(outputs[i].shape, ScalarType.Float64).to(x.dtype)).sum();
        }
        return total;
    }

    private static Tensor[] Outputs(UNetOutput o) => [o.Logits, .. o.DeepSupervision];

    private static Tensor[] ForwardDann(DannNetwork d, Tensor x)
    {
        var (seg, domain) = d.ForwardWithDomain(x, 0.7);
        return [seg.Logits, domain];
    }
}
