using System.Text.Json.Nodes;

namespace MLCardiac.ML;

/// <summary>A transformer of ours as the model file stores it: a kind, JSON settings and optional weights.</summary>
internal interface ICardiacStage
{
    /// <summary>Stage kind written to the manifest (e.g. "Segmentation").</summary>
    string Kind { get; }
    /// <summary>Settings needed to rebuild the stage.</summary>
    JsonObject SaveSettings();
    /// <summary>Weights bytes, or null for a stage without trained state.</summary>
    byte[]? SaveWeights();
}
