namespace MLCardiac.Models;

/// <summary>Feature normalisation used after each convolution of a network.</summary>
public enum NormalizationKind
{
    /// <summary>Instance normalisation with affine parameters (nnU-Net's default; independent of batch size).</summary>
    Instance,
    /// <summary>Batch normalisation (needs batches of several slices; statistics differ between train and eval).</summary>
    Batch,
    /// <summary>Group normalisation with <see cref="UNetOptions.Groups"/> groups.</summary>
    Group,
}
