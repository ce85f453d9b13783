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

    /// <param name="negativeSlope">Slope for negative inputs.</param>
    /// <param name="inPlace">
    /// Overwrite the input instead of allocating the output: for a layer whose input nobody else reads — the output of
    /// a normalisation, whose backward pass needs its own input and statistics, not its output (the U-Net's blocks).
    /// Saves one full-size allocation and memory pass per block; gradients are unchanged (tested).
    /// </param>
    public LeakyRelu(double negativeSlope = 0.01, bool inPlace = false) : base(nameof(LeakyRelu))
    {
        InPlace = inPlace;
        _slope = negativeSlope.ToScalar();
        NegativeSlope = negativeSlope;
    }

    public double NegativeSlope { get; }

    /// <summary>Whether the layer overwrites its input.</summary>
    public bool InPlace { get; }

    // In place, a new handle (alias) to the overwritten storage is returned: Sequential disposes its intermediate
    // inputs, which would otherwise invalidate the result it hands on.
    public override Tensor forward(Tensor input) => InPlace ? input.leaky_relu_(_slope).alias() : input.leaky_relu(_slope);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _slope.Dispose();
        base.Dispose(disposing);
    }
}
