namespace MLCardiac.Experiments;

/// <summary>How much training an arm gets (<c>training</c>); profiles mostly change these numbers.</summary>
public sealed record TrainingBudget
{
    /// <summary>Epochs (<c>epochs</c>, ≥ 1).</summary>
    public int Epochs { get; init; } = 20;
    /// <summary>Optimiser steps per epoch (<c>iterationsPerEpoch</c>; 0: one pass over the slices).</summary>
    public int IterationsPerEpoch { get; init; }
    /// <summary>Labeled slices per batch (<c>batchSize</c>).</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Initial learning rate (<c>learningRate</c>; AdamW with poly decay).</summary>
    public double LearningRate { get; init; } = 2e-3;
    /// <summary>Early-stopping patience in epochs (<c>patience</c>; 0: never stop early).</summary>
    public int Patience { get; init; }
    /// <summary>libtorch threads (<c>threads</c>; 0: one per core).</summary>
    public int Threads { get; init; }
}
