using Microsoft.ML;
using MLCardiac.Data;
using MLCardiac.Training;

namespace MLCardiac.ML;

/// <summary>
/// Trains the vendor classifier — ResNet, DenseNet or Inception, as <see cref="VendorClassifierOptions.Network"/> says (<see cref="VendorClassifierTrainer"/>) — on the preprocessed slices of every
/// row — labels are not needed, the target is the row's vendor — and calibrates its unfamiliar-scanner threshold on
/// held-out subjects; returns a <see cref="VendorClassifierTransformer"/>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Trains?</term><description>Yes: every row (labeled or not); vendors are the classes.</description></item>
/// <item><term>Input columns</term><description><c>Slices</c>, <c>Vendor</c>, <c>Subject</c>.</description></item>
/// <item><term>Output columns</term><description><c>PredictedVendor</c> (text), <c>VendorScore</c> (Single vector [vendors], slot names = vendors), <c>VendorConfidence</c> (Single), <c>UnfamiliarScanner</c> (Boolean).</description></item>
/// </list>
/// </remarks>
public sealed class VendorClassifierEstimator : IEstimator<VendorClassifierTransformer>
{
    private readonly VendorClassifierOptions _options;
    private readonly CardiacRunContext _context;

    internal VendorClassifierEstimator(VendorClassifierOptions options, CardiacRunContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _context = context;
    }

    /// <summary>Trains on <paramref name="input"/> and returns the classifier transformer.</summary>
    public VendorClassifierTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (preprocessing, _) = SlicesColumn.Settings(input.Schema, nameof(VendorClassifierEstimator));
        var rows = SlicesColumn.Read(input, labels: false, _context.CancellationToken).ToArray();
        string[] vendors = rows.Select(r => r.Vendor).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (vendors.Length < 2) throw new MLCardiacException($"A vendor classifier needs rows of at least two vendors; the data has [{string.Join(", ", vendors)}].");

        var subjects = rows.Select(r => new CaseRecord(r.Subject, r.Vendor, null, FrameRole.ED, "", 0, null, 0, "")).DistinctBy(r => r.Subject).ToArray();
        var calibrationSubjects = _options.CalibrationFraction > 0
            ? SubjectSplit.BySubject(subjects, _options.CalibrationFraction, _options.Seed).Second.Select(r => r.Subject).ToHashSet(StringComparer.Ordinal)
            : [];
        SliceDataset Slices(IEnumerable<SlicesColumn.Row> of) =>
            new(of.SelectMany(r => SlicesColumn.ToTrainingSlices(r, preprocessing.Size, Array.IndexOf(vendors, r.Vendor), withLabels: false)).ToArray(), vendors);
        var train = Slices(rows.Where(r => !calibrationSubjects.Contains(r.Subject)));
        var calibration = calibrationSubjects.Count > 0 ? Slices(rows.Where(r => calibrationSubjects.Contains(r.Subject))) : null;
        var classifier = new VendorClassifierTrainer(_options).Fit(train, calibration, _context.Progress, _context.CancellationToken);
        return new VendorClassifierTransformer(classifier, preprocessing);
    }

    /// <summary>The input shape with the classifier's columns added; throws naming a missing or mistyped column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SlicesColumn.Require(inputSchema, nameof(VendorClassifierEstimator), labels: false);
        // The vendor count is known only after fitting: the score is declared as a vector of unknown size here.
        return ColumnAccess.Extend(inputSchema, VendorClassifierTransformer.ColumnsFor(null));
    }
}
