namespace MLCardiac.Reports;

/// <summary>One short-axis slice with its reference and predicted label maps, for an overlay figure.</summary>
/// <param name="Width">Pixels per row (x).</param>
/// <param name="Height">Rows (y).</param>
/// <param name="Image">Intensities, row-major [y, x].</param>
/// <param name="Truth">Reference labels 0–3, row-major.</param>
/// <param name="Predicted">Predicted labels 0–3, row-major.</param>
public sealed record OverlayPanel(int Width, int Height, float[] Image, byte[] Truth, byte[] Predicted);
