using System.ComponentModel;
using MLCardiac.Preprocessing;
using Spectre.Console.Cli;

namespace MLCardiac.Cli.Commands;

/// <summary>Options every training command shares: the dataset, the slice size, the step budget and the seed.</summary>
internal abstract class TrainingSettings : CommandSettings
{
    [CommandOption("--data <DIR>")]
    [Description("Dataset folder in the M&Ms layout (e.g. one written by `mlcardiac synth`). Default: data/synthetic.")]
    public string Data { get; init; } = "data/synthetic";

    [CommandOption("--iterations <N>")]
    [Description("Optimiser steps per epoch (0: one pass over the training slices). Default: 0.")]
    public int Iterations { get; init; }

    [CommandOption("--size <PX>")]
    [Description("Side of the square slices in pixels. Default: the dataset's plans.json (`mlcardiac plan`), else 128.")]
    public int? Size { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of every random choice. Default: 1.")]
    public int Seed { get; init; } = 1;
}
