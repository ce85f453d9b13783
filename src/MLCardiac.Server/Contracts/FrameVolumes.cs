namespace MLCardiac.Server.Contracts;

/// <summary>Predicted volumes of one frame.</summary>
/// <param name="Frame">0-based frame index.</param>
/// <param name="Role">"ED", "ES" or null.</param>
/// <param name="LvMl">LV blood pool, ml.</param>
/// <param name="MyoMl">LV myocardium, ml.</param>
/// <param name="RvMl">RV blood pool, ml.</param>
/// <param name="LvMassG">LV myocardial mass (1.05 g/ml), g.</param>
/// <param name="SegmentMs">Time to segment this frame (preprocess, inference, restore, post-process), ms.</param>
public sealed record FrameVolumes(int Frame, string? Role, double LvMl, double MyoMl, double RvMl, double LvMassG, double SegmentMs);
