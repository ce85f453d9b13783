namespace MLCardiac.Augmentation;

/// <summary>
/// Named augmentation recipes, selectable by name (case-insensitive) through
/// <see cref="AugmentationPipeline.FromPreset(string)"/>. The full tables are in Augmentation/README.md.
/// </summary>
public enum AugmentationPreset
{
    /// <summary>No augmentation: slices pass through unchanged.</summary>
    None,

    /// <summary>
    /// nnU-Net v2's 2D defaults: one spatial pass with rotation ±180° (p 0.2), isotropic scaling 0.7–1.4 (p 0.2)
    /// and mirroring per axis (p 0.5); Gaussian noise variance 0–0.1 (p 0.1); Gaussian blur σ 0.5–1 px per axis
    /// (p 0.2); brightness ×0.75–1.25 (p 0.15); contrast ×0.75–1.25 range preserved (p 0.15); low resolution
    /// 0.5–1 (p 0.25); inverted gamma 0.7–1.5 (p 0.1) and gamma 0.7–1.5 (p 0.3), both keeping mean and std.
    /// </summary>
    Standard,

    /// <summary>
    /// <see cref="Standard"/> plus, in the same spatial pass, elastic deformation (7×7 control points, ≤ 6 mm, p 0.2),
    /// per-axis scaling 0.9–1.1 (p 0.2), shear ±0.1 (p 0.1) and translation ±10 mm (p 0.2); and the MRI artefacts
    /// bias field (order 3, coefficients ±0.3, p 0.3), motion (2 events, ±10°, ±10 mm, p 0.1), ghosting (period 4–10,
    /// intensity 0.5–1, p 0.1), k-space spikes (1–2, intensity 0.1–0.4, p 0.05), Gibbs ringing (keep 0.35–0.8,
    /// p 0.1), Rician noise (σ 0.02–0.15, p 0.1) and a random monotone intensity remap (4 segments, strength
    /// 0.2–0.6, p 0.2).
    /// </summary>
    Heavy,
}
