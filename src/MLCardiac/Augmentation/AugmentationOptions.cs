using System.Globalization;

namespace MLCardiac.Augmentation;

/// <summary>
/// What the <c>Augment</c> stage of a pipeline asks the trainer to do to every training batch: a recipe by
/// <see cref="Name"/> — the presets <c>none</c>, <c>standard</c> and <c>heavy</c> (<see cref="AugmentationPreset"/>), or
/// one family of the heavy preset for the "augmentation family" ablation: <c>spatial</c> (the one spatial pass:
/// rotation, scaling, mirroring, elastic, shear, translation), <c>intensity</c> (noise, blur, brightness, contrast, low
/// resolution, gamma, intensity remap) or <c>artefacts</c> (bias field, motion, ghosting, k-space spikes, Gibbs ringing,
/// Rician noise) — with every step's probability multiplied by <see cref="Strength"/> (capped at 1).
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>Every accepted <see cref="Name"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "standard", "heavy", "spatial", "intensity", "artefacts"];

    /// <summary>The recipe (one of <see cref="Names"/>).</summary>
    public string Name { get; init; } = "standard";

    /// <summary>Multiplier of every step's probability, in (0, 4]; 1 keeps the recipe's probabilities.</summary>
    public double Strength { get; init; } = 1;

    /// <summary>The options of a preset.</summary>
    public static AugmentationOptions Of(AugmentationPreset preset) => new() { Name = preset.ToString().ToLowerInvariant() };

    /// <summary>True when nothing is applied.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsNone => Name == "none";

    /// <summary>Checks every value, naming the wrong one.</summary>
    public void Validate()
    {
        if (!Names.Contains(Name)) throw new ArgumentException($"Augmentation \"{Name}\" is not one of {string.Join(", ", Names)}.", nameof(Name));
        if (!(Strength is > 0 and <= 4)) throw new ArgumentException($"Strength must be in (0, 4] (was {Strength.ToString(CultureInfo.InvariantCulture)}).", nameof(Strength));
    }

    private static readonly HashSet<Type> Artefacts =
        [typeof(RandomBiasField), typeof(RandomMotion), typeof(RandomGhosting), typeof(RandomSpike), typeof(RandomGibbsRinging), typeof(RandomRicianNoise)];

    /// <summary>The pipeline these options describe.</summary>
    public AugmentationPipeline CreatePipeline()
    {
        Validate();
        IEnumerable<AugmentationStep> heavy = AugmentationPipeline.FromPreset(AugmentationPreset.Heavy).Steps;
        AugmentationPipeline pipeline = Name switch
        {
            "spatial" => new AugmentationPipeline(heavy.Where(s => s.Transform is RandomSpatialTransform)),
            "artefacts" => new AugmentationPipeline(heavy.Where(s => Artefacts.Contains(s.Transform.GetType()))),
            "intensity" => new AugmentationPipeline(heavy.Where(s => s.Transform is not RandomSpatialTransform && !Artefacts.Contains(s.Transform.GetType()))),
            _ => AugmentationPipeline.FromPreset(Name),
        };
        return Strength == 1 ? pipeline
            : new AugmentationPipeline(pipeline.Steps.Select(s => new AugmentationStep(s.Transform, Math.Min(1, s.Probability * Strength))));
    }

    /// <summary>The recipe in words, e.g. "standard" or "heavy ×0.5".</summary>
    public override string ToString() =>
        Strength == 1 ? Name : $"{Name} ×{Strength.ToString("G3", CultureInfo.InvariantCulture)}";
}
