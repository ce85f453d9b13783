namespace MLCardiac.Augmentation;

/// <summary>
/// An ordered list of <see cref="AugmentationStep"/>s. For each sample, each step flips its own coin (its
/// probability) and, when it fires, draws its parameters; every random choice comes from the one generator
/// passed in, so the same seed gives the same output bit for bit. Spatial transforms should come first: each
/// does its single resampling pass over image and label together.
/// </summary>
/// <remarks>
/// For parallel data loading use <see cref="Apply(AugmentationSample, ulong, long, AugmentationWorkspace?, ICollection{IAugmentation}?)"/>,
/// which derives the generator from (seed, sample index): results do not depend on the thread schedule.
/// </remarks>
public sealed class AugmentationPipeline
{
    private readonly AugmentationStep[] _steps;

    /// <summary>Creates a pipeline from <paramref name="steps"/>, applied in order.</summary>
    public AugmentationPipeline(IEnumerable<AugmentationStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        _steps = [.. steps];
    }

    /// <summary>The steps, in the order they are applied.</summary>
    public IReadOnlyList<AugmentationStep> Steps => _steps;

    /// <summary>The valid preset names, lower case.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = [.. Enum.GetNames<AugmentationPreset>().Select(n => n.ToLowerInvariant())];

    /// <summary>Parses a preset name case-insensitively.</summary>
    /// <exception cref="MLCardiacException">The name is not a preset; the message lists the valid names.</exception>
    public static AugmentationPreset ParsePreset(string name)
    {
        if (!string.IsNullOrWhiteSpace(name)
            && !int.TryParse(name, out _)
            && Enum.TryParse(name.Trim(), ignoreCase: true, out AugmentationPreset preset)
            && Enum.IsDefined(preset))
        {
            return preset;
        }

        throw new MLCardiacException($"Unknown augmentation preset '{name}'. Valid presets: {string.Join(", ", PresetNames)}.");
    }

    /// <summary>The pipeline of the preset named <paramref name="name"/> (none, standard, heavy; any case).</summary>
    /// <exception cref="MLCardiacException">The name is not a preset.</exception>
    public static AugmentationPipeline FromPreset(string name) => FromPreset(ParsePreset(name));

    /// <summary>The pipeline of <paramref name="preset"/> (ranges documented on <see cref="AugmentationPreset"/>).</summary>
    public static AugmentationPipeline FromPreset(AugmentationPreset preset) => preset switch
    {
        AugmentationPreset.None => new AugmentationPipeline([]),
        AugmentationPreset.Standard => new AugmentationPipeline(StandardSteps()),
        AugmentationPreset.Heavy => new AugmentationPipeline(HeavySteps()),
        _ => throw new MLCardiacException($"Unknown augmentation preset {preset}. Valid presets: {string.Join(", ", PresetNames)}."),
    };

    /// <summary>
    /// Augments <paramref name="sample"/> in place, drawing every choice from <paramref name="random"/>.
    /// <paramref name="applied"/>, when given, receives the deterministic transforms that fired, in order
    /// (replaying them on the input gives the same output).
    /// </summary>
    public void Apply(AugmentationSample sample, AugmentationRandom random, AugmentationWorkspace? workspace = null, ICollection<IAugmentation>? applied = null)
    {
        ArgumentNullException.ThrowIfNull(random);
        workspace ??= AugmentationWorkspace.ForCurrentThread;
        foreach (AugmentationStep step in _steps)
        {
            if (!random.NextBool(step.Probability))
            {
                continue;
            }

            IAugmentation effect = step.Transform.Sample(random);
            effect.Apply(sample, workspace);
            applied?.Add(effect);
        }
    }

    /// <summary>Augments sample <paramref name="sampleIndex"/> of a run seeded with <paramref name="seed"/> (thread-schedule independent).</summary>
    public void Apply(AugmentationSample sample, ulong seed, long sampleIndex, AugmentationWorkspace? workspace = null, ICollection<IAugmentation>? applied = null)
        => Apply(sample, AugmentationRandom.ForSample(seed, sampleIndex), workspace, applied);

    /// <summary>
    /// Augments a stack of <paramref name="depth"/> slices (<paramref name="image"/> [depth, height, width]; <paramref name="label"/>
    /// the same or empty) as one volume — what 3D networks train on: every step's coin and parameters are drawn once, from
    /// (<paramref name="seed"/>, <paramref name="sampleIndex"/>) as <see cref="Apply(AugmentationSample, ulong, long, AugmentationWorkspace?, ICollection{IAugmentation}?)"/>
    /// draws them for a slice, and the drawn effects are applied to every slice (<see cref="IAugmentation.ForSlice"/>: the same
    /// rotation, deformation, contrast and bias field through the stack; noise drawn anew per slice). The transforms are
    /// in-plane, as the through-plane resolution of short-axis stacks is 5–10 times coarser.
    /// </summary>
    public void ApplyToStack(Span<float> image, Span<byte> label, int depth, int height, int width, double spacingYMm, double spacingXMm,
        ulong seed, long sampleIndex, AugmentationWorkspace? workspace = null)
    {
        int px = height * width;
        if (depth < 1 || image.Length != depth * px) throw new ArgumentException($"Expected {depth}×{height}×{width} values, got {image.Length}.", nameof(image));
        if (!label.IsEmpty && label.Length != image.Length) throw new ArgumentException($"The label holds {label.Length} values, the image {image.Length}.", nameof(label));
        workspace ??= AugmentationWorkspace.ForCurrentThread;
        var random = AugmentationRandom.ForSample(seed, sampleIndex);
        var effects = new List<IAugmentation>();
        foreach (AugmentationStep step in _steps)
            if (random.NextBool(step.Probability)) effects.Add(step.Transform.Sample(random));
        for (int z = 0; z < depth; z++)
        {
            var sample = new AugmentationSample(image.Slice(z * px, px), label.IsEmpty ? Span<byte>.Empty : label.Slice(z * px, px), height, width, spacingYMm, spacingXMm);
            foreach (IAugmentation effect in effects) effect.ForSlice(z).Apply(sample, workspace);
        }
    }

    private static AugmentationStep[] StandardSteps() =>
    [
        new(new RandomSpatialTransform(), 1.0),
        .. StandardIntensitySteps(),
    ];

    private static AugmentationStep[] StandardIntensitySteps() =>
    [
        new(new RandomGaussianNoise(), 0.1),
        new(new RandomGaussianBlur(), 0.2),
        new(new RandomBrightness(), 0.15),
        new(new RandomContrast(), 0.15),
        new(new RandomLowResolution(), 0.25),
        new(new RandomGamma { Invert = true }, 0.1),
        new(new RandomGamma(), 0.3),
    ];

    private static AugmentationStep[] HeavySteps() =>
    [
        new(
            new RandomSpatialTransform
            {
                ElasticProbability = 0.2,
                AnisotropicScalingProbability = 0.2,
                ShearProbability = 0.1,
                TranslationProbability = 0.2,
            },
            1.0),

        // Acquisition artefacts before the intensity changes that mimic reconstruction and post-processing.
        new(new RandomBiasField { Coefficients = ParameterRange.Symmetric(0.3) }, 0.3),
        new(new RandomMotion(), 0.1),
        new(new RandomGhosting(), 0.1),
        new(new RandomSpike(), 0.05),
        new(new RandomGibbsRinging(), 0.1),
        new(new RandomRicianNoise(), 0.1),
        new(new RandomIntensityRemap(), 0.2),
        .. StandardIntensitySteps(),
    ];
}
