using MLCardiac.Models;
using MLCardiac.Training;

namespace MLCardiac.ML;

/// <summary>
/// Settings of <see cref="CardiacTrainersCatalog.UNet(UNetTrainerOptions)"/>: the network, the training budget and
/// which vendors' labeled rows train it. Augmentation comes from an <c>Augment</c> stage earlier in the pipeline,
/// the slice geometry from its <c>Preprocess</c> stage. Defaults are those of <see cref="SegmentationTrainerOptions"/>.
/// </summary>
public class UNetTrainerOptions
{
    private static readonly SegmentationTrainerOptions Defaults = new();

    /// <summary>The network.</summary>
    public UNetOptions Network { get; init; } = new();
    /// <summary>Number of epochs (≥ 1).</summary>
    public int Epochs { get; init; } = Defaults.Epochs;
    /// <summary>Optimiser steps per epoch; 0 means one pass over the labeled slices.</summary>
    public int IterationsPerEpoch { get; init; }
    /// <summary>Labeled slices per batch.</summary>
    public int BatchSize { get; init; } = Defaults.BatchSize;
    /// <summary>Initial learning rate (AdamW, poly decay).</summary>
    public double LearningRate { get; init; } = Defaults.LearningRate;
    /// <summary>Decoupled weight decay of AdamW (≥ 0).</summary>
    public double WeightDecay { get; init; } = Defaults.WeightDecay;
    /// <summary>Weight of the soft-Dice term of the loss (≥ 0; with <see cref="CrossEntropyWeight"/> not both 0).</summary>
    public double DiceWeight { get; init; } = Defaults.DiceWeight;
    /// <summary>Weight of the cross-entropy term of the loss (≥ 0).</summary>
    public double CrossEntropyWeight { get; init; } = Defaults.CrossEntropyWeight;
    /// <summary>Fraction of each batch drawn from slices that contain the heart (0..1; nnU-Net oversamples 1/3).</summary>
    public double ForegroundOversampling { get; init; } = Defaults.ForegroundOversampling;
    /// <summary>Seed of every random choice (sampling, augmentation, initialisation).</summary>
    public int Seed { get; init; } = Defaults.Seed;
    /// <summary>libtorch intra-op threads; 0 keeps libtorch's default.</summary>
    public int Threads { get; init; }
    /// <summary>"cpu" or "cuda".</summary>
    public string Device { get; init; } = Defaults.Device;
    /// <summary>Vendors whose labeled rows train the network; null: every vendor with labeled rows (except DANN targets).</summary>
    public IReadOnlyList<string>? TrainVendors { get; init; }
    /// <summary>At inference, average the softmax over x, y and xy mirror images (test-time augmentation).</summary>
    public bool MirrorTta { get; init; }
    /// <summary>Receives progress after every step; never serialised.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }
    /// <summary>
    /// Called after every epoch with its record (training loss, validation Dice when <see cref="Validation"/> is set) —
    /// e.g. to stop a trial early by cancelling <see cref="CancellationToken"/>; never serialised.
    /// </summary>
    public Action<EpochRecord>? EpochCompleted { get; init; }
    /// <summary>Cancels training; never serialised.</summary>
    public CancellationToken CancellationToken { get; init; }
    /// <summary>Early-stopping patience in epochs on the validation Dice (0: never stop early; needs <see cref="Validation"/>).</summary>
    public int EarlyStoppingPatience { get; init; } = Defaults.EarlyStoppingPatience;
    /// <summary>
    /// Validation rows, already through the same <c>Preprocess</c> stage (labeled rows only are used): the best epoch by
    /// validation Dice is kept, as in <see cref="SegmentationTrainer"/>. Null: the last epoch is kept. Never serialised.
    /// </summary>
    public Microsoft.ML.IDataView? Validation { get; init; }
    /// <summary>
    /// Folder for the trainer's checkpoints and training log (<see cref="SegmentationTrainer.LogFile"/>); fitting resumes
    /// from a checkpoint left there by an interrupted fit with the same settings. Null: no checkpoints. Never serialised.
    /// </summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>
    /// Augments training batches instead of the <c>Augment</c> stage's preset (e.g. one family of the heavy preset);
    /// null: the preset. Never serialised.
    /// </summary>
    public SliceAugmenter? Augmenter { get; init; }

    /// <summary>The core trainer's options for data preprocessed at <paramref name="sliceSpacingMm"/> with <paramref name="augmentation"/>.</summary>
    internal virtual SegmentationTrainerOptions ToTrainerOptions(Augmentation.AugmentationPreset augmentation, double sliceSpacingMm) => new()
    {
        Network = Network,
        Epochs = Epochs,
        IterationsPerEpoch = IterationsPerEpoch,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        WeightDecay = WeightDecay,
        DiceWeight = DiceWeight,
        CrossEntropyWeight = CrossEntropyWeight,
        ForegroundOversampling = ForegroundOversampling,
        Seed = Seed,
        EarlyStoppingPatience = EarlyStoppingPatience,
        Threads = Threads,
        Device = Device,
        Augmentation = augmentation,
        SliceSpacingMm = sliceSpacingMm,
    };
}
