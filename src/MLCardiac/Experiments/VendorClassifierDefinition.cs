using MLCardiac.Models;

namespace MLCardiac.Experiments;

/// <summary>The experiment's vendor-classifier run (<c>vendorClassifier</c>): can a network tell the scanners apart?</summary>
public sealed record VendorClassifierDefinition
{
    /// <summary>Epochs (<c>epochs</c>).</summary>
    public int Epochs { get; init; } = 6;
    /// <summary>Steps per epoch (<c>iterationsPerEpoch</c>; 0: one pass).</summary>
    public int IterationsPerEpoch { get; init; }
    /// <summary>The network's architecture (<c>type</c>: <c>resnet</c>, the default, <c>densenet</c> or <c>inception</c>).</summary>
    public ClassifierKind Type { get; init; } = ClassifierKind.ResNet;
    /// <summary>
    /// The network's width (<c>width</c>): ResNet base width, DenseNet growth rate, Inception base width; null gives the
    /// type's default (16, 8, 16: <see cref="ClassifierNetworkOptions.ForKind"/>).
    /// </summary>
    public int? Width { get; init; }
    /// <summary>The network these settings give (classes are set from the data when it is trained).</summary>
    public ClassifierNetworkOptions Network() => ClassifierNetworkOptions.ForKind(Type, Width);
    /// <summary>Vendors kept out of the classifier's training, to measure the unfamiliar-scanner warning (<c>unseenVendors</c>).</summary>
    public IReadOnlyList<string> UnseenVendors { get; init; } = [];
    /// <summary>Share of familiar volumes the calibrated warning may flag (<c>falseAlarmRate</c>).</summary>
    public double FalseAlarmRate { get; init; } = 0.05;
    /// <summary>
    /// Other architectures trained beside <see cref="Type"/> on the same volumes, with their default widths and the same
    /// budget, so the report compares them by accuracy and unfamiliar-scanner detection (<c>compare</c>, e.g.
    /// <c>["densenet", "inception"]</c>); each is a unit of its own (<see cref="StudyResults.ClassifierUnit"/>).
    /// </summary>
    public IReadOnlyList<ClassifierKind> Compare { get; init; } = [];

    /// <summary>The definition of the comparison run of <paramref name="kind"/>: this one with that type, its default width, no comparisons.</summary>
    public VendorClassifierDefinition For(ClassifierKind kind) => kind == Type ? this with { Compare = [] } : this with { Type = kind, Width = null, Compare = [] };
}
