namespace MLCardiac.Training;

/// <summary>Domain-adversarial training (DANN) settings; see <see cref="Models.DannNetwork"/>.</summary>
public sealed record DannOptions
{
    /// <summary>Largest gradient-reversal weight λ; the schedule rises from 0 towards it (Ganin et al.).</summary>
    public double MaxLambda { get; init; } = 0.3;
    /// <summary>γ of Ganin's schedule 2/(1+exp(−γp))−1.</summary>
    public double Gamma { get; init; } = 10;
    /// <summary>Weight of the domain cross-entropy in the total loss.</summary>
    public double DomainLossWeight { get; init; } = 1;
    /// <summary>Unlabeled target-domain rows added to each batch, as a fraction of the batch size.</summary>
    public double TargetFraction { get; init; } = 0.5;
    /// <summary>Hidden width of the domain head.</summary>
    public int HiddenFeatures { get; init; } = 64;

    /// <summary>Checks every value, naming the wrong one.</summary>
    public void Validate()
    {
        if (!(MaxLambda >= 0) || double.IsInfinity(MaxLambda)) throw new ArgumentException($"MaxLambda must be finite and ≥ 0 (was {MaxLambda}).", nameof(MaxLambda));
        if (!(Gamma > 0)) throw new ArgumentException($"Gamma must be > 0 (was {Gamma}).", nameof(Gamma));
        if (!(DomainLossWeight >= 0)) throw new ArgumentException($"DomainLossWeight must be ≥ 0 (was {DomainLossWeight}).", nameof(DomainLossWeight));
        if (!(TargetFraction is >= 0 and <= 4)) throw new ArgumentException($"TargetFraction must be in [0, 4] (was {TargetFraction}).", nameof(TargetFraction));
        if (HiddenFeatures < 1) throw new ArgumentException($"HiddenFeatures must be ≥ 1 (was {HiddenFeatures}).", nameof(HiddenFeatures));
    }
}
