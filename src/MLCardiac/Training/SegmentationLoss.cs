using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Training;

/// <summary>
/// Soft Dice + cross-entropy, the loss nnU-Net trains with (Isensee et al. 2021), with a row mask so that
/// unlabeled target-domain rows of a DANN batch contribute nothing to it.
/// </summary>
/// <remarks>
/// Dice is the "batch Dice" of nnU-Net's 2D configuration: intersections and sums are taken over every
/// labeled slice of the batch at once, per foreground class, then averaged over classes; the loss term is
/// 1 − mean Dice. A smoothing of 1e-5 keeps it defined when a class is absent from prediction and truth.
/// </remarks>
public static class SegmentationLoss
{
    /// <summary>Smoothing added to numerator and denominator of the soft Dice.</summary>
    public const double DiceSmooth = 1e-5;

    /// <summary>
    /// Returns the scalar loss for logits [N, C, H, W] and integer labels [N, H, W] (int64, values 0..C−1).
    /// <paramref name="labeled"/> [N] (bool) selects the rows that have labels; null means all rows.
    /// When no row is labeled the result is a zero that still belongs to the graph.
    /// </summary>
    public static Tensor DiceCrossEntropy(Tensor logits, Tensor labels, Tensor? labeled = null, double diceWeight = 1, double crossEntropyWeight = 1)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.dim() is not (4 or 5) || labels.dim() != logits.dim() - 1 || logits.shape[0] != labels.shape[0]
            || !logits.shape.AsSpan(2).SequenceEqual(labels.shape.AsSpan(1)))
            throw new ArgumentException(
                $"Expected logits [N, C, H, W] and labels [N, H, W] (or [N, C, D, H, W] and [N, D, H, W]); got [{string.Join(", ", logits.shape)}] and [{string.Join(", ", labels.shape)}].");

        using var scope = NewDisposeScope();
        if (labeled is not null)
        {
            Tensor rows = labeled.nonzero().flatten();
            if (rows.shape[0] == 0)
            {
                using TorchSharp.Scalar zero = 0.0.ToScalar();
                return logits.sum().mul(zero).MoveToOuterDisposeScope();
            }
            logits = logits.index_select(0, rows);
            labels = labels.index_select(0, rows);
        }
        // Scalars are created and disposed explicitly: TorchSharp's implicit double → Scalar conversions leave the
        // Scalar to the finalizer, which can free it while libtorch still reads it (seen as "toFloat: Expected false").
        using TorchSharp.Scalar one = 1.0.ToScalar(), wCe = crossEntropyWeight.ToScalar(), wDice = diceWeight.ToScalar();
        Tensor ce = nn.functional.cross_entropy(logits, labels);
        Tensor dice = SoftDice(logits, labels).mean().neg().add(one);
        return ce.mul(wCe).add(dice.mul(wDice)).MoveToOuterDisposeScope();
    }

    /// <summary>Per-class soft Dice of the foreground classes (1..C−1) over the whole batch, shape [C−1].</summary>
    public static Tensor SoftDice(Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        using var scope = NewDisposeScope();
        long classes = logits.shape[1];
        Tensor probs = nn.functional.softmax(logits, 1).narrow(1, 1, classes - 1);
        Tensor onehot = nn.functional.one_hot(labels, classes).movedim([-1], [1]).narrow(1, 1, classes - 1).to(probs.dtype);
        long[] dims = [0, .. Enumerable.Range(2, (int)logits.dim() - 2).Select(d => (long)d)];
        Tensor intersection = (probs * onehot).sum(dims);
        using TorchSharp.Scalar one = 1.0.ToScalar(), two = 2.0.ToScalar(), smooth = DiceSmooth.ToScalar();
        Tensor denominator = probs.sum(dims).add(onehot.sum(dims), one);
        return intersection.mul(two).add(smooth).div(denominator.add(smooth)).MoveToOuterDisposeScope();
    }
}
