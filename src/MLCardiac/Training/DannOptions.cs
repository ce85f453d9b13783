namespace MLCardiac.Training;

/// <summary>Domain-adversarial training (DANN) settings; see <see cref="Models.DannNetwork"/>.</summary>
public sealed record DannOptions
{
    /// <summary>
    /// Vendors whose rows are the unlabeled target domain (their labels, if any, are never used). Empty: no target data —
    /// the domain head tells the labeled training vendors apart (at least two), so the features are made vendor-invariant
    /// across the training vendors alone (domain generalisation, as the search's leave-one-vendor-out trials train DANN).
    /// </summary>
    public IReadOnlyList<string> TargetVendors { get; init; } = [];
    /// <summary>Largest gradient-reversal weight λ; the schedule rises from 0 towards it (Ganin et al.).</summary>
    public double MaxLambda { get; init; } = 0.3;
    /// <summary>γ of Ganin's schedule 2/(1+exp(−γp))−1.</summary>
    public double Gamma { get; init; } = 10;
    /// <summary>Weight of the domain cross-entropy in the total loss.</summary>
    public double DomainLossWeight { get; init; } = 1;
    /// <summary>Unlabeled target-domain rows added to each batch, as a fraction of the batch size.</summary>
    public double TargetFraction { get; init; } = 0.5;
    /// <summary>
    /// Encoder stage whose features the domain head sees: 0 (the default) is the full-resolution first stage; null
    /// means the bottleneck, as in Ganin et al. Measured on the synthetic vendors: a head on the bottleneck of an
    /// instance-normalised U-Net cannot tell vendors apart (its loss stays at ln 2, so the reversed gradient carries
    /// nothing), while at stage 0 it separates them within ~50 steps — vendor differences in noise, blur and ringing
    /// live at fine scales, and that is where the adversarial pressure has to act.
    /// </summary>
    public int? FeatureStage { get; init; } = 0;
    /// <summary>
    /// The domain head learns at this multiple of the network's learning rate (it must keep up with an encoder that
    /// is trained to fool it; DANN implementations commonly give the discriminator a larger rate, commonly 10×).
    /// </summary>
    public double HeadLearningRateMultiplier { get; init; } = 10;
    /// <summary>
    /// Hidden width of the domain head (channels of its two 3×3 convolutions and of its MLP). 16 by default: over the
    /// full-resolution first stage, a 64-wide head cost as much per slice as the whole U-Net (two 3×3 convolutions at 128²,
    /// 0.75 GMAC, with four times the U-Net's widest full-resolution activations), and a DANN step ran at 4.6 slices/s
    /// against a plain step's 16 (quick study, 2 cores, 2026-12-03). At 16 the head adds about a tenth of the U-Net's cost.
    /// It is the width at which the adversarial effect is tested (<c>LearningOnPhantomTests</c>: the head tells the vendors
    /// apart without reversal, and reversal pushes it towards chance while segmentation holds). A strided head was tried
    /// first and rejected: it told vendors apart as well, but reversal no longer pushed it towards chance in that test.
    /// </summary>
    public int HiddenFeatures { get; init; } = 16;

    /// <summary>Checks every value, naming the wrong one.</summary>
    public void Validate()
    {
        if (!(MaxLambda >= 0) || double.IsInfinity(MaxLambda)) throw new ArgumentException($"MaxLambda must be finite and ≥ 0 (was {MaxLambda}).", nameof(MaxLambda));
        if (!(Gamma > 0)) throw new ArgumentException($"Gamma must be > 0 (was {Gamma}).", nameof(Gamma));
        if (!(DomainLossWeight >= 0)) throw new ArgumentException($"DomainLossWeight must be ≥ 0 (was {DomainLossWeight}).", nameof(DomainLossWeight));
        if (!(TargetFraction is >= 0 and <= 4)) throw new ArgumentException($"TargetFraction must be in [0, 4] (was {TargetFraction}).", nameof(TargetFraction));
        if (!(HeadLearningRateMultiplier > 0) || double.IsInfinity(HeadLearningRateMultiplier)) throw new ArgumentException($"HeadLearningRateMultiplier must be > 0 (was {HeadLearningRateMultiplier}).", nameof(HeadLearningRateMultiplier));
        if (HiddenFeatures < 1) throw new ArgumentException($"HiddenFeatures must be ≥ 1 (was {HiddenFeatures}).", nameof(HiddenFeatures));
    }
}
