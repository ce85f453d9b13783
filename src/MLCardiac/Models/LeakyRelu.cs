using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// Leaky ReLU whose negative slope is one <see cref="Scalar"/> owned by the module for its whole life.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>nn.LeakyReLU</c> converts its double slope to a temporary Scalar on every forward pass
/// and nothing keeps that Scalar alive during the native call: when a garbage collection finalises it mid-call,
/// libtorch reads freed memory ("toFloat: Expected false to be true"), intermittently, in training.
/// </remarks>
internal sealed class LeakyRelu : nn.Module<Tensor, Tensor>
{
    private readonly Scalar _slope;

    public LeakyRelu(double negativeSlope = 0.01) : base(nameof(LeakyRelu))
    {
        _slope = negativeSlope.ToScalar();
        NegativeSlope = negativeSlope;
    }

    public double NegativeSlope { get; }

    public override Tensor forward(Tensor input) => input.leaky_relu(_slope);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _slope.Dispose();
        base.Dispose(disposing);
    }
}
