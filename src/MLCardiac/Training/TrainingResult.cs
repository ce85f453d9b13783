using MLCardiac.Models;

namespace MLCardiac.Training;

/// <summary>The outcome of <see cref="SegmentationTrainer.Fit"/>.</summary>
public sealed class TrainingResult : IDisposable
{
    internal TrainingResult(SegmentationNetwork model, IReadOnlyList<EpochRecord> history, int bestEpoch, bool stoppedEarly, bool resumed)
    {
        Model = model;
        History = history;
        BestEpoch = bestEpoch;
        StoppedEarly = stoppedEarly;
        Resumed = resumed;
    }

    /// <summary>The segmentation network with the best validation weights (the last ones without validation), in eval mode.</summary>
    public SegmentationNetwork Model { get; }
    /// <summary>One record per epoch, including epochs run before a resume.</summary>
    public IReadOnlyList<EpochRecord> History { get; }
    /// <summary>Epoch whose weights <see cref="Model"/> holds.</summary>
    public int BestEpoch { get; }
    /// <summary>True when early stopping ended training.</summary>
    public bool StoppedEarly { get; }
    /// <summary>True when training continued from a checkpoint.</summary>
    public bool Resumed { get; }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
