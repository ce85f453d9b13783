using MLCardiac.Training;

namespace MLCardiac.ML;

/// <summary>
/// What a fit needs besides hyperparameters: where to report progress, when to stop, where checkpoints go and where
/// prepared slices are cached. Given once to <see cref="CardiacSegmentationExtensions.CardiacSegmentation(Microsoft.ML.MLContext, CardiacRunContext?)"/>;
/// every estimator and loaded model of that catalog uses it. Nothing here is saved with a model or changes its result,
/// except that a checkpoint left by an interrupted fit with the same settings is resumed from.
/// </summary>
public sealed record CardiacRunContext
{
    /// <summary>Receives progress after every training step; null: none.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>
    /// Called after every epoch of the segmentation trainer with its record (training loss, validation Dice when
    /// validation rows were given) — e.g. for a search scheduler that stops a trial by cancelling <see cref="CancellationToken"/>.
    /// </summary>
    public Action<EpochRecord>? EpochCompleted { get; init; }

    /// <summary>Cancels fitting, transforming and evaluating between steps and rows.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// Folder for the segmentation trainer's checkpoints and training log (<see cref="SegmentationTrainer.LogFile"/>);
    /// null: none. With <see cref="Resume"/>, a fit finds a checkpoint of the same settings there and continues from it.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Resume from a checkpoint in <see cref="CheckpointDirectory"/> (default); false starts over and overwrites it.</summary>
    public bool Resume { get; init; } = true;

    /// <summary>
    /// Where the <c>Preprocess</c> stage keeps the slices it prepared, keyed by each row's files and the preprocessing
    /// (<see cref="PreparedSliceCache"/>); null: every row is read and preprocessed each time a cursor asks.
    /// </summary>
    public PreparedSliceCache? PreparedCache { get; init; }

    /// <summary>
    /// How the segmentation trainer prepares its batches (<see cref="SegmentationTrainer.InputWorkers"/>): 0 between steps
    /// on the training thread, N ≥ 1 in the background while the network trains, the rows of a batch augmented on N
    /// threads. The weights are bitwise the same either way; only speed changes. Default: <see cref="DefaultInputWorkers"/>.
    /// </summary>
    public int InputWorkers { get; init; } = DefaultInputWorkers;

    /// <summary>The default of <see cref="InputWorkers"/>: 1, background preparation on one thread (as <see cref="SegmentationTrainer.InputWorkers"/>; bench mode <c>input</c>).</summary>
    public const int DefaultInputWorkers = 1;
}
