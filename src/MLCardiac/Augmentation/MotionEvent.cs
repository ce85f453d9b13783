namespace MLCardiac.Augmentation;

/// <summary>One rigid movement of the patient during the acquisition of a slice.</summary>
/// <param name="Time">When it happens, as a fraction of the acquisition in (0, 1): k-space lines acquired from then on see the moved anatomy.</param>
/// <param name="RotationDegrees">In-plane rotation in degrees.</param>
/// <param name="TranslationXMm">Shift along x in mm.</param>
/// <param name="TranslationYMm">Shift along y in mm.</param>
public readonly record struct MotionEvent(double Time, double RotationDegrees, double TranslationXMm, double TranslationYMm);
