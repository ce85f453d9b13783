using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// Domain-adversarial U-Net (DANN, Ganin et al. JMLR 2016, as used for cross-vendor cardiac MRI): a
/// segmentation network (<see cref="SegmentationNetwork"/>: a 2D or 3D U-Net or a V-Net) whose bottleneck features also feed a <see cref="DomainDiscriminator"/> through a
/// gradient reversal layer. Minimising segmentation loss + domain loss trains the head to tell vendors
/// apart and the encoder, through the reversed gradient, to make them indistinguishable.
/// </summary>
public sealed class DannNetwork : nn.Module<Tensor, Tensor>
{
    private readonly SegmentationNetwork unet;
    private readonly DomainDiscriminator domain;

    /// <summary>
    /// Builds the U-Net from <paramref name="options"/> and a domain head for <paramref name="domains"/> domains over the
    /// output of encoder stage <paramref name="featureStage"/> (0 = full resolution; null = the bottleneck, as in Ganin et al.).
    /// </summary>
    public DannNetwork(UNetOptions options, int domains, int hiddenDomainFeatures = 16, int? featureStage = null) : base(nameof(DannNetwork))
    {
        ArgumentNullException.ThrowIfNull(options);
        int stage = featureStage ?? options.Depth;
        if (stage < 0 || stage > options.Depth)
            throw new ArgumentOutOfRangeException(nameof(featureStage), featureStage, $"must be an encoder stage in 0..{options.Depth}");
        unet = SegmentationNetwork.Create(options);
        domain = Numerics.OneDnnGuard.Check(new DomainDiscriminator(options.FiltersAt(stage), domains, hiddenDomainFeatures, options.IsVolumetric));
        Domains = domains;
        FeatureStage = stage;
        RegisterComponents();
    }

    /// <summary>The domain head's parameters (for an optimiser group of their own).</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> DomainHeadParameters => domain.parameters();

    /// <summary>Encoder stage whose output feeds the domain head.</summary>
    public int FeatureStage { get; }

    /// <summary>The segmentation network (what inference and export use).</summary>
    public SegmentationNetwork Segmenter => unet;

    /// <summary>Number of domains the head predicts.</summary>
    public int Domains { get; }

    /// <summary>Segmentation logits only (inference path: the domain head is not evaluated).</summary>
    public override Tensor forward(Tensor input) => unet.call(input);

    /// <summary>Segmentation output and domain logits [N, Domains], with the gradient into the encoder scaled by −<paramref name="lambda"/>.</summary>
    public (UNetOutput Segmentation, Tensor DomainLogits) ForwardWithDomain(Tensor input, double lambda)
    {
        UNetOutput seg = unet.ForwardAll(input);
        return (seg, domain.call(GradientReversal.Apply(seg.Encoder[FeatureStage], lambda)));
    }
}
