using MLCardiac.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Training;

/// <summary>
/// A trained vendor classifier: predicts which known vendor a volume's slices come from (mean of the slice
/// probabilities) and flags volumes whose confidence (maximum mean probability, Hendrycks &amp; Gimpel 2017)
/// falls below a threshold calibrated on held-out in-distribution volumes — the "this scan looks unlike the
/// training vendors" warning shown at inference.
/// </summary>
public sealed class VendorClassifier : IDisposable
{
    /// <summary>Wraps a trained network.</summary>
    public VendorClassifier(VendorClassifierNetwork network, IReadOnlyList<string> vendors, double threshold)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(vendors);
        if (vendors.Count != network.Options.Classes)
            throw new ArgumentException($"{vendors.Count} vendor names for a network with {network.Options.Classes} classes.", nameof(vendors));
        Network = network;
        Vendors = vendors;
        Threshold = threshold;
        Network.eval();
    }

    /// <summary>The network (ResNet, DenseNet or Inception: <see cref="ClassifierNetworkOptions.Kind"/> of its options).</summary>
    public VendorClassifierNetwork Network { get; }
    /// <summary>Vendor names, in class order.</summary>
    public IReadOnlyList<string> Vendors { get; }
    /// <summary>Volumes with confidence below this are flagged unfamiliar.</summary>
    public double Threshold { get; set; }

    /// <summary>Softmax probabilities [slices, vendors] for the given slices.</summary>
    public float[][] PredictSlices(IReadOnlyList<TrainingSlice> slices, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(slices);
        var result = new float[slices.Count][];
        using var noGrad = torch.no_grad();
        for (int start = 0; start < slices.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, slices.Count - start);
            int h = slices[start].Height, w = slices[start].Width;
            var buffer = new float[n * h * w];
            for (int i = 0; i < n; i++) slices[start + i].Image.CopyTo(buffer, i * h * w);
            using var scope = torch.NewDisposeScope();
            float[] p = nn.functional.softmax(Network.call(tensor(buffer, new long[] { n, 1, h, w })), 1).data<float>().ToArray();
            int c = Vendors.Count;
            for (int i = 0; i < n; i++) result[start + i] = p.AsSpan(i * c, c).ToArray();
        }
        return result;
    }

    /// <summary>One verdict per subject (volume) of <paramref name="data"/>, in order of first appearance.</summary>
    public IReadOnlyList<VolumePrediction> PredictVolumes(SliceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        float[][] probs = PredictSlices(data.Slices);
        var order = new List<string>();
        var sums = new Dictionary<string, (double[] Sum, int Count)>(StringComparer.Ordinal);
        for (int i = 0; i < probs.Length; i++)
        {
            string subject = data.Slices[i].Subject;
            if (!sums.TryGetValue(subject, out var acc)) { acc = (new double[Vendors.Count], 0); order.Add(subject); }
            for (int c = 0; c < Vendors.Count; c++) acc.Sum[c] += probs[i][c];
            sums[subject] = (acc.Sum, acc.Count + 1);
        }
        return order.Select(s =>
        {
            var (sum, count) = sums[s];
            double[] mean = sum.Select(v => v / count).ToArray();
            int best = Array.IndexOf(mean, mean.Max());
            return new VolumePrediction(s, mean, best, mean[best], mean[best] < Threshold);
        }).ToList();
    }

    /// <summary>Accuracy per slice and per volume, the volume confusion matrix and the share flagged unfamiliar.</summary>
    public VendorClassifierEvaluation Evaluate(SliceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        float[][] probs = PredictSlices(data.Slices);
        int sliceRight = 0;
        for (int i = 0; i < probs.Length; i++)
            if (ArgMax(probs[i]) == data.Slices[i].Domain) sliceRight++;
        var truth = data.Slices.GroupBy(s => s.Subject).ToDictionary(g => g.Key, g => g.First().Domain, StringComparer.Ordinal);
        var volumes = PredictVolumes(data);
        int k = Vendors.Count;
        var confusion = Enumerable.Range(0, k).Select(_ => new int[k]).ToArray();
        foreach (var v in volumes)
        {
            int t = truth[v.Subject];
            if (t < k) confusion[t][v.PredictedVendor]++;
        }
        return new VendorClassifierEvaluation(
            (double)sliceRight / probs.Length,
            volumes.Count(v => v.PredictedVendor == truth[v.Subject]) / (double)volumes.Count,
            confusion,
            volumes.Count(v => v.Unfamiliar) / (double)volumes.Count);
    }

    /// <summary>
    /// The threshold that flags at most <paramref name="falseAlarmRate"/> of <paramref name="inDistributionScores"/>:
    /// the ⌊rate·n⌋-th smallest score (scores strictly below it are flagged).
    /// </summary>
    public static double CalibrateThreshold(IReadOnlyCollection<double> inDistributionScores, double falseAlarmRate)
    {
        ArgumentNullException.ThrowIfNull(inDistributionScores);
        if (inDistributionScores.Count == 0) throw new ArgumentException("Calibration needs at least one in-distribution volume.", nameof(inDistributionScores));
        if (!(falseAlarmRate is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(falseAlarmRate), falseAlarmRate, "must be in [0, 1)");
        double[] sorted = inDistributionScores.OrderBy(s => s).ToArray();
        return sorted[(int)Math.Floor(falseAlarmRate * sorted.Length)];
    }

    /// <inheritdoc />
    public void Dispose() => Network.Dispose();

    private static int ArgMax(float[] p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }
}
