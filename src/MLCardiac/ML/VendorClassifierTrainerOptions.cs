using MLCardiac.Models;
using MLCardiac.Training;

namespace MLCardiac.ML;

/// <summary>
/// Settings of <see cref="CardiacTrainersCatalog.VendorClassifier(VendorClassifierTrainerOptions)"/>: the ResNet,
/// its budget, and the subjects held out to calibrate the unfamiliar-scanner threshold. Defaults are those of
/// <see cref="VendorClassifierOptions"/>.
/// </summary>
public sealed class VendorClassifierTrainerOptions
{
    private static readonly VendorClassifierOptions Defaults = new();

    /// <summary>The network (its class count is set from the vendors in the data).</summary>
    public ResNetOptions Network { get; init; } = new();
    /// <summary>Epochs.</summary>
    public int Epochs { get; init; } = Defaults.Epochs;
    /// <summary>Optimiser steps per epoch; 0 means one pass over the slices.</summary>
    public int IterationsPerEpoch { get; init; }
    /// <summary>Slices per batch.</summary>
    public int BatchSize { get; init; } = Defaults.BatchSize;
    /// <summary>Initial learning rate (AdamW, cosine decay).</summary>
    public double LearningRate { get; init; } = Defaults.LearningRate;
    /// <summary>Share of in-distribution volumes allowed to be flagged unfamiliar, in (0, 0.5).</summary>
    public double FalseAlarmRate { get; init; } = Defaults.FalseAlarmRate;
    /// <summary>
    /// Share of each vendor's subjects held out of training to calibrate the threshold, in [0, 1); 0 calibrates on
    /// the training volumes (which under-estimates false alarms).
    /// </summary>
    public double CalibrationFraction { get; init; } = 0.25;
    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; } = Defaults.Seed;
    /// <summary>Receives progress after every step; never serialised.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }
    /// <summary>Cancels training; never serialised.</summary>
    public CancellationToken CancellationToken { get; init; }

    internal VendorClassifierOptions ToTrainerOptions() => new()
    {
        Network = Network, Epochs = Epochs, IterationsPerEpoch = IterationsPerEpoch, BatchSize = BatchSize,
        LearningRate = LearningRate, FalseAlarmRate = FalseAlarmRate, Seed = Seed,
    };
}
