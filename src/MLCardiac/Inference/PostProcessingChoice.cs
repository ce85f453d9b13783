using System.Globalization;

namespace MLCardiac.Inference;

/// <summary>What the post-processing choice found for one structure on the validation subjects.</summary>
/// <param name="Label">Structure (1 LV, 2 MYO, 3 RV).</param>
/// <param name="Cases">Validation cases in which the structure is in the reference or the prediction.</param>
/// <param name="DiceWithout">Mean Dice of the structure as the network predicts it.</param>
/// <param name="DiceWith">Mean Dice after keeping only its largest 3D component.</param>
/// <param name="Applied">Whether the model keeps only the largest component of this structure.</param>
public sealed record StructurePostProcessing(int Label, int Cases, double DiceWithout, double DiceWith, bool Applied);

/// <summary>
/// nnU-Net's post-processing step (Isensee et al., Nature Methods 2021): whether to keep only the largest connected
/// component of each structure is decided on held-out predictions, not assumed. Here: the validation subjects of the fit
/// (out-of-fold predictions once cross-validation exists), segmented without the filter, then with it per structure.
/// </summary>
/// <remarks>
/// One departure from nnU-Net, which applies the filter only where it strictly improves the validation Dice: here a tie
/// keeps it. A tie means the network left no stray island on the validation subjects, which come from the training
/// vendors; the islands the filter removes appear under domain shift, on vendors validation never shows. The filter is
/// dropped only where it lowers the validation Dice — a structure that really is in several pieces in the references
/// (an RV split by the slice plane at the base, say).
/// </remarks>
public sealed record PostProcessingChoice(IReadOnlyList<StructurePostProcessing> Structures)
{
    /// <summary>Structures whose largest component alone is kept.</summary>
    public IReadOnlyList<int> LargestComponentLabels => [.. Structures.Where(s => s.Applied).Select(s => s.Label)];

    /// <summary>
    /// Decides for structures 1..<paramref name="classes"/>−1 from validation cases: predicted and reference labels on one
    /// grid [slices, rows, columns] of Columns × Rows per slice.
    /// </summary>
    public static PostProcessingChoice Decide(IReadOnlyList<(byte[] Predicted, byte[] Reference, int Columns, int Rows)> cases, int classes = 4)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var structures = new List<StructurePostProcessing>();
        for (int c = 1; c < classes; c++)
        {
            double without = 0, with = 0;
            int n = 0;
            foreach (var (predicted, reference, columns, rows) in cases)
            {
                if (predicted.Length != reference.Length || predicted.Length % (columns * rows) != 0)
                    throw new ArgumentException($"A validation case's prediction ({predicted.Length} voxels) and reference ({reference.Length}) do not share a {columns}×{rows} grid.", nameof(cases));
                byte k = (byte)c;
                if (Array.IndexOf(predicted, k) < 0 && Array.IndexOf(reference, k) < 0) continue;
                var filtered = new float[predicted.Length];
                for (int i = 0; i < filtered.Length; i++) filtered[i] = predicted[i];
                LargestComponent.Apply(filtered, columns, rows, predicted.Length / (columns * rows), classes, [c]);
                var filteredBytes = new byte[filtered.Length];
                for (int i = 0; i < filtered.Length; i++) filteredBytes[i] = (byte)filtered[i];
                without += QualityFeatures.Dice(predicted, reference, k);
                with += QualityFeatures.Dice(filteredBytes, reference, k);
                n++;
            }
            double meanWithout = n == 0 ? double.NaN : without / n, meanWith = n == 0 ? double.NaN : with / n;
            // Apply unless it lowers the mean (ties keep the filter: see the remarks); with no case, keep the default (on).
            bool applied = n == 0 || meanWith >= meanWithout - 1e-12;
            structures.Add(new StructurePostProcessing(c, n, meanWithout, meanWith, applied));
        }
        return new PostProcessingChoice(structures);
    }

    /// <summary>
    /// The decision over the validation cases of several fits together — nnU-Net's choice on out-of-fold predictions: the
    /// folds of a cross-validation each decided on their own validation subjects; pooled, every training subject counts
    /// once. Per structure the means are weighted by cases and the same rule applies (<see cref="Decide"/>).
    /// </summary>
    /// <exception cref="ArgumentException">No choice, or choices over different structures.</exception>
    public static PostProcessingChoice Merge(IReadOnlyList<PostProcessingChoice> choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        if (choices.Count == 0) throw new ArgumentException("No post-processing choice to merge.", nameof(choices));
        int[] labels = [.. choices[0].Structures.Select(s => s.Label)];
        if (choices.Any(c => !c.Structures.Select(s => s.Label).SequenceEqual(labels)))
            throw new ArgumentException("The choices cover different structures.", nameof(choices));
        var structures = new List<StructurePostProcessing>();
        foreach (int label in labels)
        {
            var parts = choices.Select(c => c.Structures.Single(s => s.Label == label)).Where(s => s.Cases > 0).ToList();
            int n = parts.Sum(p => p.Cases);
            double without = n == 0 ? double.NaN : parts.Sum(p => p.DiceWithout * p.Cases) / n;
            double with = n == 0 ? double.NaN : parts.Sum(p => p.DiceWith * p.Cases) / n;
            structures.Add(new StructurePostProcessing(label, n, without, with, n == 0 || with >= without - 1e-12));
        }
        return new PostProcessingChoice(structures);
    }

    /// <summary>One line: per structure, on or off and the two mean Dice values.</summary>
    public string Describe()
    {
        string[] names = ["background", "LV", "MYO", "RV"];
        return "largest component per structure, chosen on validation: " + string.Join("; ", Structures.Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"{(s.Label < names.Length ? names[s.Label] : s.Label.ToString(CultureInfo.InvariantCulture))} {(s.Applied ? "on" : "off")} (Dice {s.DiceWithout:0.0000} → {s.DiceWith:0.0000}, {s.Cases} cases)")));
    }
}
