using MLCardiac.Models;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Onnx;

/// <summary>Seeded networks with every weight and statistic away from its initial value, and an ONNX Runtime runner.</summary>
internal static class OnnxTestNetworks
{
    public static UNet2d UNet(UNetOptions options, int seed = 1)
    {
        torch.manual_seed(seed);
        var net = new UNet2d(options);
        Perturb(net);
        net.eval();
        return net;
    }

    /// <summary>A network of any kind (<see cref="UNetOptions.Kind"/>), perturbed as <see cref="UNet"/>'s; PReLU slopes too (they are 1-D).</summary>
    public static SegmentationNetwork Network(UNetOptions options, int seed = 1)
    {
        torch.manual_seed(seed);
        var net = SegmentationNetwork.Create(options);
        Perturb(net);
        net.eval();
        return net;
    }

    public static ResNetClassifier ResNet(ResNetOptions options, int seed = 1) => (ResNetClassifier)Classifier(options, seed);

    /// <summary>A vendor classifier network of any kind (ResNet, DenseNet, Inception), perturbed, in eval mode.</summary>
    public static VendorClassifierNetwork Classifier(ClassifierNetworkOptions options, int seed = 1)
    {
        torch.manual_seed(seed);
        var net = options.CreateNetwork();
        Perturb(net);
        net.eval();
        return net;
    }

    /// <summary>Biases, normalisation scales and shifts and batch-norm running statistics drawn at random (they start at 0/1).</summary>
    private static void Perturb(nn.Module net)
    {
        using var noGrad = torch.no_grad();
        foreach (var (key, t) in net.state_dict())
        {
            if (!t.is_floating_point()) continue;
            if (key.EndsWith("running_var", StringComparison.Ordinal)) t.copy_(rand(t.shape) + 0.5);
            else if (key.EndsWith("running_mean", StringComparison.Ordinal) || key.EndsWith("bias", StringComparison.Ordinal)) t.copy_(randn(t.shape) * 0.1);
            else if (t.dim() == 1) t.copy_(rand(t.shape) + 0.5); // normalisation scales
        }
    }

    /// <summary>TorchSharp output of <paramref name="net"/> for <paramref name="input"/> [shape], as floats.</summary>
    public static float[] Torch(nn.Module<Tensor, Tensor> net, float[] input, long[] shape)
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        return net.call(tensor(input, shape)).data<float>().ToArray();
    }

    /// <summary>ONNX Runtime outputs (by name) of <paramref name="onnx"/> for input <c>image</c> [shape].</summary>
    public static Dictionary<string, (float[]? Floats, long[]? Longs, long[] Shape)> Run(byte[] onnx, float[] input, long[] shape)
    {
        using var session = new InferenceSession(onnx);
        using OrtValue value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        var names = session.OutputMetadata.Keys.ToArray();
        using var results = session.Run(runOptions, ["image"], [value], names);
        var outputs = new Dictionary<string, (float[]?, long[]?, long[])>();
        for (int i = 0; i < names.Length; i++)
        {
            var info = results[i].GetTensorTypeAndShape();
            outputs[names[i]] = info.ElementDataType == TensorElementType.Float
                ? (results[i].GetTensorDataAsSpan<float>().ToArray(), null, info.Shape)
                : (null, results[i].GetTensorDataAsSpan<long>().ToArray(), info.Shape);
        }
        return outputs;
    }

    public static float[] RandomInput(int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 4 - 2);
        return x;
    }

    public static float MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.AreEqual(a.Length, b.Length, "output lengths");
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = MathF.Max(max, MathF.Abs(a[i] - b[i]));
        return max;
    }
}
