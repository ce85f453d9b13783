using MLCardiac.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Inference;

/// <summary>Runs a <see cref="SegmentationNetwork"/> with TorchSharp (eval mode, inference mode, softmax in libtorch).</summary>
public sealed class TorchSharpBackend : ISegmentationBackend
{
    private readonly bool _ownsNetwork;

    /// <summary>Wraps <paramref name="network"/> (put into eval mode); with <paramref name="ownsNetwork"/> it is disposed with the backend.</summary>
    public TorchSharpBackend(SegmentationNetwork network, bool ownsNetwork = false)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.Options.InChannels != 1) throw new ArgumentException($"Segmentation backends take one-channel slices; the network has {network.Options.InChannels}.", nameof(network));
        Network = network;
        _ownsNetwork = ownsNetwork;
        Network.eval();
    }

    /// <summary>The network.</summary>
    public SegmentationNetwork Network { get; }

    /// <inheritdoc />
    public string Name => "TorchSharp";

    /// <inheritdoc />
    public bool WholeStack => Network.IsVolumetric;

    /// <inheritdoc />
    public int Classes => Network.Options.Classes;

    /// <inheritdoc />
    public void Predict(ReadOnlySpan<float> slices, int count, int size, Span<float> probabilities)
    {
        int px = size * size;
        if (slices.Length != count * px) throw new ArgumentException($"Expected {count}×{size}×{size} values, got {slices.Length}.", nameof(slices));
        if (probabilities.Length != count * Classes * px) throw new ArgumentException($"Expected room for {count}×{Classes}×{size}×{size} values, got {probabilities.Length}.", nameof(probabilities));
        // inference_mode rather than no_grad: no version counters or views tracking (measured ~10 % faster, bench `infer`).
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        Tensor x = tensor(slices.ToArray(), new long[] { count, 1, size, size });
        nn.functional.softmax(Network.StackLogits(x), 1).data<float>().CopyTo(probabilities);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsNetwork) Network.Dispose();
    }
}
