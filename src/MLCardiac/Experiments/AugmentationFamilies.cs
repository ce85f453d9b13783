using MLCardiac.Augmentation;

namespace MLCardiac.Experiments;

/// <summary>
/// The augmentations an experiment can name: the three presets, and the heavy preset split into its families
/// for the "augmentation family" ablation — spatial (the one spatial pass: rotation, scaling, mirroring, elastic,
/// shear, translation), intensity (noise, blur, brightness, contrast, low resolution, gamma, intensity remap) and
/// artefacts (the MRI artefacts: bias field, motion, ghosting, k-space spikes, Gibbs ringing, Rician noise).
/// </summary>
public static class AugmentationFamilies
{
    /// <summary>Every accepted name.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "standard", "heavy", "spatial", "intensity", "artefacts"];

    private static readonly HashSet<Type> Artefacts =
        [typeof(RandomBiasField), typeof(RandomMotion), typeof(RandomGhosting), typeof(RandomSpike), typeof(RandomGibbsRinging), typeof(RandomRicianNoise)];

    /// <summary>The pipeline of <paramref name="name"/> (one of <see cref="Names"/>).</summary>
    /// <exception cref="MLCardiacException">The name is unknown.</exception>
    public static AugmentationPipeline Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        IEnumerable<AugmentationStep> heavy = AugmentationPipeline.FromPreset(AugmentationPreset.Heavy).Steps;
        return name switch
        {
            "none" => AugmentationPipeline.FromPreset(AugmentationPreset.None),
            "standard" => AugmentationPipeline.FromPreset(AugmentationPreset.Standard),
            "heavy" => AugmentationPipeline.FromPreset(AugmentationPreset.Heavy),
            "spatial" => new AugmentationPipeline(heavy.Where(s => s.Transform is RandomSpatialTransform)),
            "artefacts" => new AugmentationPipeline(heavy.Where(s => Artefacts.Contains(s.Transform.GetType()))),
            "intensity" => new AugmentationPipeline(heavy.Where(s => s.Transform is not RandomSpatialTransform && !Artefacts.Contains(s.Transform.GetType()))),
            _ => throw new MLCardiacException($"Unknown augmentation \"{name}\". Valid: {string.Join(", ", Names)}."),
        };
    }
}
