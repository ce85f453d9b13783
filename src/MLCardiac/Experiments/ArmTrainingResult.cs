using MLCardiac.Training;

namespace MLCardiac.Experiments;

/// <summary>What training an arm produced besides its model folder.</summary>
/// <param name="History">One record per epoch (the training curve).</param>
/// <param name="BestEpoch">0-based epoch whose weights were kept.</param>
/// <param name="StoppedEarly">True when early stopping ended training.</param>
public sealed record ArmTrainingResult(IReadOnlyList<EpochRecord> History, int BestEpoch, bool StoppedEarly);
