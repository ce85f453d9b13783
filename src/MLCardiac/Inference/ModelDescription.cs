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
    /// <summary>Architecture.</summary>
    public UNetOptions Network { get; init; } = new();
    /// <summary>Preprocessing used in training (and so at inference).</summary>
    public PreprocessingOptions Preprocessing { get; init; } = new();
    /// <summary>All vendors of the training dataset (domain indices).</summary>
    public IReadOnlyList<string> Domains { get; init; } = [];
    /// <summary>Vendors whose labeled data trained the model.</summary>
    public IReadOnlyList<string> TrainVendors { get; init; } = [];
    /// <summary>Vendors whose unlabeled data took part as DANN target domains.</summary>
    public IReadOnlyList<string> TargetVendors { get; init; } = [];
}
