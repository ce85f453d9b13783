namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Generates the synthetic multi-vendor short-axis cine CMR cohort: phantoms with anatomy, motion, pathology and scanner
/// drawn per subject from (seed, vendor, index), so any subject can be generated alone, in any order or in parallel, with
/// bit-identical results.
/// </summary>
public sealed class SyntheticCohortGenerator
{
    /// <summary>Version of the phantom: bumped whenever the same seed and profiles would give different data.</summary>
    public const int Version = 2;

    private readonly SyntheticCohortOptions _options;
    private readonly VendorProfileSet _profiles;

    /// <summary>Creates a generator with the built-in vendor profiles; the options are validated.</summary>
    /// <exception cref="MLCardiacException">An option is out of range.</exception>
    public SyntheticCohortGenerator(SyntheticCohortOptions options)
        : this(options, VendorProfileSet.BuiltIn)
    {
    }

    /// <summary>Creates a generator whose pathology mix comes from <paramref name="profiles"/>; the options are validated.</summary>
    /// <exception cref="MLCardiacException">An option is out of range.</exception>
    public SyntheticCohortGenerator(SyntheticCohortOptions options, VendorProfileSet profiles)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(profiles);
        options.Validate();
        _options = options;
        _profiles = profiles;
    }

    /// <summary>The options in use.</summary>
    public SyntheticCohortOptions Options => _options;

    /// <summary>The vendor profiles (and pathology mix) in use.</summary>
    public VendorProfileSet Profiles => _profiles;

    /// <summary>The metadata subject <paramref name="index"/> of <paramref name="vendor"/> will have, without rendering it (targets before calibration: the wall thickness is the first guess).</summary>
    public SyntheticSubjectInfo DescribeSubject(VendorProfile vendor, int index)
    {
        ArgumentNullException.ThrowIfNull(vendor);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return PhantomParameterSampler.Sample(vendor, index, _options, _profiles.PathologyMix).Info;
    }

    /// <summary>Generates subject <paramref name="index"/> (0-based) of <paramref name="vendor"/>.</summary>
    public SyntheticSubject Generate(VendorProfile vendor, int index)
    {
        ArgumentNullException.ThrowIfNull(vendor);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return PhantomRenderer.Render(PhantomParameterSampler.Sample(vendor, index, _options, _profiles.PathologyMix));
    }
}
