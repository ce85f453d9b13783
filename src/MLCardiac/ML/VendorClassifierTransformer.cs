using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Training;

namespace MLCardiac.ML;

/// <summary>
/// The vendor classifier in a pipeline: for each row, the mean slice probabilities of the known vendors over its
/// <c>Slices</c> (<see cref="VendorClassifier.PredictVolumes"/>), the most probable vendor, the confidence, and the
/// "unfamiliar scanner" flag when the confidence falls below the calibrated threshold. Dispose it to free the network.
/// </summary>
public sealed class VendorClassifierTransformer : CardiacTransformer, ICardiacStage, IDisposable
{
    internal const string StageKind = "VendorClassifier";

    internal VendorClassifierTransformer(VendorClassifier classifier, PreprocessingOptions preprocessing)
    {
        Classifier = classifier;
        Preprocessing = preprocessing;
    }

    /// <summary>The classifier: network, vendors, threshold.</summary>
    public VendorClassifier Classifier { get; }

    /// <summary>The preprocessing of the slices the classifier was trained on (the input's <c>Slices</c> must match).</summary>
    public PreprocessingOptions Preprocessing { get; }

    internal static MappedColumn[] ColumnsFor(IReadOnlyList<string>? vendors)
    {
        DataViewSchema.Annotations? slotNames = null;
        if (vendors is not null)
        {
            var names = vendors.Select(v => v.AsMemory()).ToArray();
            var builder = new DataViewSchema.Annotations.Builder();
            builder.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, names.Length),
                (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(names.Length, (ReadOnlyMemory<char>[])names.Clone())));
            slotNames = builder.ToAnnotations();
        }
        return
        [
            new(CardiacColumnNames.PredictedVendor, TextDataViewType.Instance),
            new(CardiacColumnNames.VendorScore, vendors is null ? new VectorDataViewType(NumberDataViewType.Single) : new VectorDataViewType(NumberDataViewType.Single, vendors.Count), slotNames),
            new(CardiacColumnNames.VendorConfidence, NumberDataViewType.Single),
            new(CardiacColumnNames.UnfamiliarScanner, BooleanDataViewType.Instance),
        ];
    }

    string ICardiacStage.Kind => StageKind;

    JsonObject ICardiacStage.SaveSettings() => new()
    {
        // With its "Kind" (resnet | densenet | inception); a file written before the other kinds existed has none and is a ResNet.
        ["network"] = JsonSerializer.SerializeToNode<ClassifierNetworkOptions>(Classifier.Network.Options),
        ["vendors"] = JsonSerializer.SerializeToNode(Classifier.Vendors.ToArray()),
        ["threshold"] = Classifier.Threshold,
        ["preprocessing"] = JsonSerializer.SerializeToNode(Preprocessing),
    };

    byte[]? ICardiacStage.SaveWeights()
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) Classifier.Network.save(w);
        return ms.ToArray();
    }

    internal static VendorClassifierTransformer Load(JsonObject settings, byte[] weights)
    {
        var options = settings["network"].Deserialize<ClassifierNetworkOptions>() ?? throw new JsonException("no network settings");
        var vendors = settings["vendors"].Deserialize<string[]>() ?? throw new JsonException("no vendors");
        double threshold = (double?)settings["threshold"] ?? throw new JsonException("no threshold");
        var preprocessing = settings["preprocessing"].Deserialize<PreprocessingOptions>() ?? throw new JsonException("no preprocessing");
        VendorClassifierNetwork network = options.CreateNetwork();
        try
        {
            using var r = new BinaryReader(new MemoryStream(weights, writable: false));
            network.load(r);
            return new VendorClassifierTransformer(new VendorClassifier(network, vendors, threshold), preprocessing);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Slice and volume accuracy, the volume confusion matrix and the share flagged unfamiliar on <paramref name="prepared"/>:
    /// rows through the pipeline's Preprocess stage (<c>Slices</c>, <c>Vendor</c>, <c>Subject</c>). Rows of vendors the
    /// classifier does not know count in the flagged share only.
    /// </summary>
    public VendorClassifierEvaluation Evaluate(IDataView prepared, CancellationToken cancellationToken = default) =>
        Classifier.Evaluate(Slices(prepared, Classifier.Vendors, cancellationToken));

    /// <summary>One verdict per subject of <paramref name="prepared"/> (rows through the Preprocess stage), in order of first appearance.</summary>
    public IReadOnlyList<VolumePrediction> PredictVolumes(IDataView prepared, CancellationToken cancellationToken = default)
    {
        var vendors = Classifier.Vendors.ToList();
        return Classifier.PredictVolumes(Slices(prepared, vendors, cancellationToken));
    }

    private SliceDataset Slices(IDataView prepared, IReadOnlyList<string> vendors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var (preprocessing, _) = SlicesColumn.Settings(prepared.Schema, nameof(VendorClassifierTransformer));
        if (preprocessing != Preprocessing)
            throw new ArgumentOutOfRangeException(nameof(prepared), $"{nameof(VendorClassifierTransformer)}: the rows were preprocessed with {preprocessing}; the classifier was trained on {Preprocessing}.");
        var domains = vendors.ToList();
        var slices = new List<TrainingSlice>();
        foreach (var row in SlicesColumn.Read(prepared, labels: false, cancellationToken))
        {
            int domain = domains.IndexOf(row.Vendor);
            if (domain < 0)
            {
                domains.Add(row.Vendor);
                domain = domains.Count - 1;
            }
            slices.AddRange(SlicesColumn.ToTrainingSlices(row, preprocessing.Size, domain, withLabels: false));
        }
        return new SliceDataset(slices, domains);
    }

    /// <summary>Frees the network.</summary>
    public void Dispose() => Classifier.Dispose();

    private protected override RowMapping Bind(DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (preprocessing, _) = SlicesColumn.Settings(input, nameof(VendorClassifierTransformer));
        if (preprocessing != Preprocessing)
            throw new ArgumentOutOfRangeException(nameof(input), $"{nameof(VendorClassifierTransformer)}: column '{CardiacColumnNames.Slices}' was preprocessed with {preprocessing}; the classifier was trained on {Preprocessing}.");
        int size = preprocessing.Size;
        return new RowMapping(input, ColumnsFor(Classifier.Vendors), [CardiacColumnNames.Slices], row =>
        {
            var slices = ColumnAccess.Vector<float>(row, CardiacColumnNames.Slices);
            return () =>
            {
                var data = new SliceDataset(SlicesColumn.ToTrainingSlices(new SlicesColumn.Row("volume", "", slices(), []), size, 0, false).ToArray(), Classifier.Vendors);
                VolumePrediction p = Classifier.PredictVolumes(data).Single();
                return [Classifier.Vendors[p.PredictedVendor], p.Probabilities.Select(v => (float)v).ToArray(), (float)p.Confidence, p.Unfamiliar];
            };
        });
    }
}
