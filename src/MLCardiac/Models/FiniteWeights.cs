using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// Checks that a loaded network's weights are all finite. A checksum proves a file is the one that was written, not
/// that what was written is usable: a training that diverged saves NaN weights, and such a network answers every
/// image with background, silently. Called after a stage's module is loaded.
/// </summary>
public static class FiniteWeights
{
    /// <summary>Names of the parameters and floating-point buffers of <paramref name="module"/> that hold NaN or ±∞.</summary>
    public static IReadOnlyList<string> NonFinite(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var bad = new List<string>();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in module.named_parameters())
            if (!p.isfinite().all().item<bool>()) bad.Add(name);
        foreach (var (name, b) in module.named_buffers())
            if (b.is_floating_point() && !b.isfinite().all().item<bool>()) bad.Add(name);
        return bad;
    }

    /// <summary>
    /// Throws <see cref="MLCardiacException"/> naming <paramref name="what"/> and the first tensors at fault when
    /// <paramref name="module"/> (if any) holds NaN or ±∞; <paramref name="owner"/> is disposed first.
    /// </summary>
    public static void Check(nn.Module? module, string what, IDisposable? owner = null)
    {
        if (module is null) return;
        IReadOnlyList<string> bad = NonFinite(module);
        if (bad.Count == 0) return;
        owner?.Dispose();
        string names = string.Join(", ", bad.Take(3)) + (bad.Count > 3 ? $" and {bad.Count - 3} more" : "");
        throw new MLCardiacException($"{what}: the weights hold NaN or infinite values ({names}); the network would segment nothing. Retrain the model (its training diverged).");
    }
}
