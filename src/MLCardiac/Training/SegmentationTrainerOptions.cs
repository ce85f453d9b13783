using MLCardiac.Models;

namespace MLCardiac.Training;

/// <summary>
/// The hyperparameters of the segmentation stage (<c>Trainers.UNet</c>, <c>Trainers.Dann</c>) and of the
/// <see cref="SegmentationTrainer"/> behind it — serialisable, recorded with every run, never a runtime handle: progress,
/// cancellation and the checkpoint folder come from the run context (<c>CardiacRunContext</c>), the slice geometry from
/// the pipeline's <c>Preprocess</c> stage and the augmentation from its <c>Augment</c> stage. Defaults are sized for a
/// 2-core CPU (a 16-filter, 4-level U-Net at 128×128 trains at about 25 slices/s there).
/// </summary>
public sealed record SegmentationTrainerOptions
{
    /// <summary>The network.</summary>
    public UNetOptions Network { get; init; } = new();
    /// <summary>Domain-adversarial training; null trains a plain U-Net.</summary>
    public DannOptions? Dann { get; init; }
    /// <summary>Number of epochs.</summary>
    public int Epochs { get; init; } = 30;
    /// <summary>Optimiser steps per epoch; 0 means one pass over the labeled slices.</summary>
    public int IterationsPerEpoch { get; init; }
    /// <summary>Labeled slices per batch.</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Initial learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;
    /// <summary>Weight decay (decoupled for AdamW, L2 for SGD).</summary>
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Optimiser.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    /// <summary>Learning-rate schedule over all steps.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Poly;
    /// <summary>Weight of the soft Dice term.</summary>
    public double DiceWeight { get; init; } = 1;
    /// <summary>Weight of the cross-entropy term.</summary>
    public double CrossEntropyWeight { get; init; } = 1;
    /// <summary>Fraction of each batch drawn from slices that contain the heart (nnU-Net oversamples 1/3).</summary>
    public double ForegroundOversampling { get; init; } = 0.33;
    /// <summary>Stop after this many epochs without a better validation Dice; 0 never stops early.</summary>
    public int EarlyStoppingPatience { get; init; }
    /// <summary>Seed of every random choice (sampling, augmentation, initialisation, dropout).</summary>
    public int Seed { get; init; } = 1;
    /// <summary>libtorch intra-op threads; 0 keeps libtorch's default (one per core).</summary>
    public int Threads { get; init; }
    /// <summary>"cpu" or "cuda" (cuda needs the CUDA build: -p:TorchBackend=cuda).</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Vendors whose labeled rows train the network; null: every vendor with labeled rows (DANN targets excepted).</summary>
    public IReadOnlyList<string>? TrainVendors { get; init; }
    /// <summary>At inference, average the softmax over x, y and xy mirror images (test-time augmentation).</summary>
    public bool MirrorTta { get; init; }

    /// <summary>Checks every value, naming the wrong one.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Network, nameof(Network));
        Network.Validate();
        Dann?.Validate();
        if (Epochs < 1) throw new ArgumentException($"Epochs must be ≥ 1 (was {Epochs}).", nameof(Epochs));
        if (IterationsPerEpoch < 0) throw new ArgumentException($"IterationsPerEpoch must be ≥ 0 (was {IterationsPerEpoch}).", nameof(IterationsPerEpoch));
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be ≥ 1 (was {BatchSize}).", nameof(BatchSize));
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"LearningRate must be > 0 (was {LearningRate}).", nameof(LearningRate));
        if (!(WeightDecay >= 0)) throw new ArgumentException($"WeightDecay must be ≥ 0 (was {WeightDecay}).", nameof(WeightDecay));
        if (!(DiceWeight >= 0) || !(CrossEntropyWeight >= 0) || DiceWeight + CrossEntropyWeight <= 0)
            throw new ArgumentException("DiceWeight and CrossEntropyWeight must be ≥ 0 and not both 0.", nameof(DiceWeight));
        if (!(ForegroundOversampling is >= 0 and <= 1)) throw new ArgumentException($"ForegroundOversampling must be in [0, 1] (was {ForegroundOversampling}).", nameof(ForegroundOversampling));
        if (EarlyStoppingPatience < 0) throw new ArgumentException($"EarlyStoppingPatience must be ≥ 0 (was {EarlyStoppingPatience}).", nameof(EarlyStoppingPatience));
        if (Threads < 0) throw new ArgumentException($"Threads must be ≥ 0 (was {Threads}).", nameof(Threads));
        if (Device is not ("cpu" or "cuda")) throw new ArgumentException($"Device must be \"cpu\" or \"cuda\" (was \"{Device}\").", nameof(Device));
    }
}
