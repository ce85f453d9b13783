using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// The gradient reversal layer of domain-adversarial training (Ganin et al., JMLR 2016): identity in the
/// forward pass, gradient multiplied by −λ in the backward pass.
/// </summary>
/// <remarks>
/// Written as the exact expression <c>y = x̄ − λ·(x − x̄)</c> with <c>x̄ = x.detach()</c>: its value is x
/// bit for bit (x − x̄ is exactly zero) and its derivative is −λ, so no custom autograd function is needed
/// and it runs on every device and in TorchScript-free export paths.
/// </remarks>
public static class GradientReversal
{
    /// <summary>Returns x unchanged, with gradient −<paramref name="lambda"/>·(incoming gradient).</summary>
    public static Tensor Apply(Tensor x, double lambda)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!double.IsFinite(lambda) || lambda < 0)
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be finite and ≥ 0.");
        using TorchSharp.Scalar scale = lambda.ToScalar(); // explicit, see SegmentationLoss
        using Tensor frozen = x.detach();
        using Tensor delta = x.sub(frozen); // TorchSharp's Tensor.sub(Tensor) passes no Scalar (unlike add's implicit alpha)
        using Tensor reversed = delta.mul(scale);
        return frozen.sub(reversed);
    }

    /// <summary>
    /// Ganin's schedule λ(p) = λmax·(2/(1+exp(−γp)) − 1) for training progress p in [0, 1] (γ = 10 in the paper):
    /// 0 at the start, approaching λmax at the end, so the domain head is trusted only once it has learned.
    /// </summary>
    public static double Schedule(double progress, double maxLambda, double gamma = 10)
    {
        double p = Math.Clamp(progress, 0, 1);
        return maxLambda * (2 / (1 + Math.Exp(-gamma * p)) - 1);
    }
}
