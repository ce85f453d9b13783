using MLCardiac.Models;

namespace MLCardiac.Training;

/// <summary>Settings of <see cref="VendorClassifierTrainer"/>.</summary>
public sealed record VendorClassifierOptions
{
    /// <summary>
    /// The network: <see cref="ResNetOptions"/> (the default), <see cref="DenseNetOptions"/> or <see cref="InceptionOptions"/>;
    /// its <see cref="ClassifierNetworkOptions.Classes"/> is set from the data's domain count. Serialised with its kind.
    /// </summary>
    public ClassifierNetworkOptions Network { get; init; } = new ResNetOptions();
    /// <summary>Epochs.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Optimiser steps per epoch; 0 means one pass over the slices.</summary>
    public int IterationsPerEpoch { get; init; }
    /// <summary>Slices per batch.</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>Initial learning rate (AdamW, cosine decay).</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>
    /// Share of held-out in-distribution volumes allowed to be flagged "unfamiliar" when the threshold is
    /// calibrated (the false-alarm rate), in (0, 0.5).
    /// </summary>
    public double FalseAlarmRate { get; init; } = 0.05;
    /// <summary>
    /// Share of each vendor's subjects the <c>VendorClassifier</c> stage holds out of training to calibrate the threshold,
    /// in [0, 1); 0 calibrates on the training volumes (which under-estimates false alarms).
    /// </summary>
    public double CalibrationFraction { get; init; } = 0.25;
    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checks every value, naming the wrong one.</summary>
    public void Validate()
    {
        if (Network is null) throw new ArgumentException("Network must be set.", nameof(Network));
        Network.Validate();
        if (Epochs < 1) throw new ArgumentException($"Epochs must be ≥ 1 (was {Epochs}).", nameof(Epochs));
        if (IterationsPerEpoch < 0) throw new ArgumentException($"IterationsPerEpoch must be ≥ 0 (was {IterationsPerEpoch}).", nameof(IterationsPerEpoch));
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be ≥ 1 (was {BatchSize}).", nameof(BatchSize));
        if (!(LearningRate > 0)) throw new ArgumentException($"LearningRate must be > 0 (was {LearningRate}).", nameof(LearningRate));
        if (!(WeightDecay >= 0)) throw new ArgumentException($"WeightDecay must be ≥ 0 (was {WeightDecay}).", nameof(WeightDecay));
        if (!(CalibrationFraction is >= 0 and < 1)) throw new ArgumentException($"CalibrationFraction must be in [0, 1) (was {CalibrationFraction}).", nameof(CalibrationFraction));
        if (!(FalseAlarmRate is > 0 and < 0.5)) throw new ArgumentException($"FalseAlarmRate must be in (0, 0.5) (was {FalseAlarmRate}).", nameof(FalseAlarmRate));
    }
}
