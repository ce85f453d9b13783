namespace MLCardiac.Data.Synthetic;

/// <summary>A small dark blob inside the LV blood pool (papillary muscle or trabecula), in the LV's polar frame.</summary>
internal sealed record InnerBlob(double AngleRad, double RadiusMm, double FirstS, double LastS, double InsetFraction);
