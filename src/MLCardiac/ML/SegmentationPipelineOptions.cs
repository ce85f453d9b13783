using System.Globalization;
using MLCardiac.Augmentation;
using MLCardiac.Preprocessing;
using MLCardiac.Training;

namespace MLCardiac.ML;

/// <summary>
/// A whole segmentation pipeline as data: the hyperparameters of each stage of
/// <c>LoadNifti → Preprocess → [Augment] → UNet | Dann → [VendorClassifier] → [QualityControl]</c>. What a study arm, a search trial, its
/// refit and <c>mlcardiac train</c> fit (<see cref="CardiacSegmentationCatalog.FitPipeline"/>), one type for all of them.
/// </summary>
public sealed record SegmentationPipelineOptions
{
    /// <summary>The Preprocess stage.</summary>
    public PreprocessingOptions Preprocessing { get; init; } = new();
    /// <summary>The Augment stage (none: no stage).</summary>
    public AugmentationOptions Augmentation { get; init; } = new() { Name = "none" };
    /// <summary>The segmentation trainer (a DANN when <see cref="SegmentationTrainerOptions.Dann"/> is set).</summary>
    public SegmentationTrainerOptions Trainer { get; init; } = new();
    /// <summary>The vendor classifier stage; null: none.</summary>
    public VendorClassifierOptions? VendorClassifier { get; init; }
    /// <summary>The quality-control stage (shift score, predicted Dice, anatomical rules); null: none.</summary>
    public Inference.QualityControlOptions? QualityControl { get; init; }

    /// <summary>Checks every stage, naming the wrong value.</summary>
    public void Validate()
    {
        Preprocessing.Validate();
        Augmentation.Validate();
        Trainer.Validate();
        VendorClassifier?.Validate();
        QualityControl?.Validate();
        long multiple = 1L << Trainer.Network.Depth;
        if (Preprocessing.Size % multiple != 0)
            throw new ArgumentException($"Slices of {Preprocessing.Size} px cannot pass a U-Net of depth {Trainer.Network.Depth}: the size must be a multiple of {multiple}.", nameof(Preprocessing));
    }

    /// <summary>The stages in words, e.g. "LoadNifti → Preprocess(128 px, 1.25 mm) → Augment(standard) → UNet".</summary>
    public string Describe()
    {
        string text = $"LoadNifti → Preprocess({Preprocessing.Size} px, {Preprocessing.SpacingMm.ToString(CultureInfo.InvariantCulture)} mm)";
        if (!Augmentation.IsNone) text += $" → Augment({Augmentation})";
        text += Trainer.Dann is { } d ? $" → Dann(λ ≤ {d.MaxLambda.ToString("G3", CultureInfo.InvariantCulture)})" : " → UNet";
        if (VendorClassifier is not null) text += " → VendorClassifier";
        if (QualityControl is not null) text += " → QualityControl";
        return text;
    }
}
