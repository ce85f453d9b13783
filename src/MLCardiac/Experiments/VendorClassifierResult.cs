namespace MLCardiac.Experiments;

/// <summary>The saved outcome of the experiment's vendor-classifier run (<c>reports/ID/vendor-classifier/result.json</c>).</summary>
public sealed record VendorClassifierResult
{
    /// <summary>The network's architecture: <c>resnet</c>, <c>densenet</c> or <c>inception</c> (results written before the type existed are ResNet's).</summary>
    public string Type { get; init; } = "resnet";
    /// <summary><see cref="Type"/> as prose writes it (<c>ResNet</c>, <c>DenseNet</c>, <c>Inception</c>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string TypeTitle => MLCardiac.Models.ClassifierNetworkOptions.TryParseKind(Type, out var kind) ? MLCardiac.Models.ClassifierNetworkOptions.Title(kind) : Type;
    /// <summary>Known vendors (rows and columns of <see cref="Confusion"/>).</summary>
    public required IReadOnlyList<string> Vendors { get; init; }
    /// <summary>Vendors kept out of training.</summary>
    public IReadOnlyList<string> UnseenVendors { get; init; } = [];
    /// <summary>Held-out volumes: true vendor (rows) × predicted vendor (columns).</summary>
    public required int[][] Confusion { get; init; }
    /// <summary>Volume-level accuracy on held-out subjects of known vendors.</summary>
    public double VolumeAccuracy { get; init; }
    /// <summary>Slice-level accuracy on the same volumes.</summary>
    public double SliceAccuracy { get; init; }
    /// <summary>Share of held-out known-vendor volumes flagged unfamiliar.</summary>
    public double FlaggedKnown { get; init; }
    /// <summary>Share of unseen-vendor volumes flagged unfamiliar (NaN without unseen vendors).</summary>
    public double FlaggedUnseen { get; init; } = double.NaN;
    /// <summary>AUROC of the classifier's unfamiliarity (1 − confidence) separating unseen-vendor volumes from held-out known-vendor volumes (NaN without unseen vendors).</summary>
    public double UnseenAuroc { get; init; } = double.NaN;
    /// <summary>Calibrated unfamiliar-scanner threshold.</summary>
    public double Threshold { get; init; }
    /// <summary>Wall time, s.</summary>
    public double Seconds { get; init; }
    /// <summary>Hash of the settings that produced it.</summary>
    public string Fingerprint { get; init; } = "";
}
