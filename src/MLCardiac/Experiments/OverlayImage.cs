namespace MLCardiac.Experiments;

/// <summary>One overlay figure of an arm: a vendor's best, median or worst held-out ED case.</summary>
/// <param name="Vendor">Vendor code.</param>
/// <param name="Rank">"best", "median" or "worst" (by mean Dice of the three structures).</param>
/// <param name="MeanDice">The case's mean Dice.</param>
/// <param name="Slice">0-based slice shown: the middle of the slices whose reference holds LV, myocardium and RV.</param>
/// <param name="Path">PNG path relative to the experiment's report folder.</param>
public sealed record OverlayImage(string Vendor, string Rank, double MeanDice, int Slice, string Path);
