namespace MLCardiac.Models;

/// <summary>Non-linearity used after each normalisation.</summary>
public enum ActivationKind
{
    /// <summary>Leaky ReLU with negative slope 0.01 (nnU-Net's default).</summary>
    LeakyReLU,
    /// <summary>Plain ReLU.</summary>
    ReLU,
}
