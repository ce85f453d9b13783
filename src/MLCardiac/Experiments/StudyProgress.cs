namespace MLCardiac.Experiments;

/// <summary>Where a study run is: the current unit (arm × seed, or the vendor classifier) and the whole study's fraction done.</summary>
/// <param name="Unit">Current unit's name (e.g. "unet-heavy seed 1").</param>
/// <param name="Stage">What the unit is doing ("preparing data", "training", "evaluating", "skipped (finished earlier)", ...).</param>
/// <param name="UnitIndex">0-based index of the unit.</param>
/// <param name="Units">Units in the study.</param>
/// <param name="UnitFraction">Fraction of the current unit done, 0–1.</param>
/// <param name="StudyFraction">Fraction of the whole study done, 0–1.</param>
/// <param name="Detail">Extra detail (epoch, loss, validation Dice), or empty.</param>
public sealed record StudyProgress(string Unit, string Stage, int UnitIndex, int Units, double UnitFraction, double StudyFraction, string Detail);
