using MLCardiac.Models;
using MLCardiac.Preprocessing;

namespace MLCardiac.Inference;

/// <summary>Everything needed to rebuild and run a segmentation network: the settings of the model file's segmentation stage.</summary>
public sealed record ModelDescription
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Schema version of the file.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    /// <summary>Kind of network ("unet2d").</summary>
    public string Kind { get; init; } = "unet2d";
    /// <summary>Weights file name inside the folder.</summary>
    public string Weights { get; init; } = "best.weights";
    /// <summary>Architecture (of an ensemble: its first member's).</summary>
    public UNetOptions Network { get; init; } = new();
    /// <summary>
    /// Of an ensemble (<see cref="SegmentationModel.FromEnsemble"/>), every member's architecture in order, their softmax
    /// averaged; null for a single network.
    /// </summary>
    public IReadOnlyList<UNetOptions>? Members { get; init; }
    /// <summary>Preprocessing used in training (and so at inference).</summary>
    public PreprocessingOptions Preprocessing { get; init; } = new();
    /// <summary>All vendors of the training dataset (domain indices).</summary>
    public IReadOnlyList<string> Domains { get; init; } = [];
    /// <summary>Vendors whose labeled data trained the model.</summary>
    public IReadOnlyList<string> TrainVendors { get; init; } = [];
    /// <summary>Vendors whose unlabeled data took part as DANN target domains.</summary>
    public IReadOnlyList<string> TargetVendors { get; init; } = [];
    /// <summary>
    /// Post-processing: the structures (1 LV, 2 MYO, 3 RV) whose largest 3D component alone is kept, as chosen on the
    /// validation subjects when the model was fitted (<see cref="PostProcessingChoice"/>). Null: every structure — models
    /// fitted without validation, and files written before the choice existed.
    /// </summary>
    public IReadOnlyList<int>? LargestComponentLabels { get; init; }
}
