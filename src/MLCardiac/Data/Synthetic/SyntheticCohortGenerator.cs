namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Generates the synthetic multi-vendor short-axis cine CMR cohort: phantoms with anatomy, motion and vendor
/// appearance drawn per subject from (seed, vendor, index), so any subject can be generated alone, in any order
/// or in parallel, with bit-identical results.
/// </summary>
public sealed class SyntheticCohortGenerator
{
    private readonly SyntheticCohortOptions _options;

    /// <summary>Creates a generator; the options are validated.</summary>
    /// <exception cref="MLCardiacException">An option is out of range.</exception>
    public SyntheticCohortGenerator(SyntheticCohortOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The options in use.</summary>
    public SyntheticCohortOptions Options => _options;

    /// <summary>The metadata subject <paramref name="index"/> of <paramref name="vendor"/> will have, without rendering it.</summary>
    public SyntheticSubjectInfo DescribeSubject(VendorProfile vendor, int index)
    {
        ArgumentNullException.ThrowIfNull(vendor);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return PhantomParameterSampler.Sample(vendor, index, _options).Info;
    }

    /// <summary>Generates subject <paramref name="index"/> (0-based) of <paramref name="vendor"/>.</summary>
    public SyntheticSubject Generate(VendorProfile vendor, int index)
    {
        ArgumentNullException.ThrowIfNull(vendor);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return PhantomRenderer.Render(PhantomParameterSampler.Sample(vendor, index, _options));
    }
}
