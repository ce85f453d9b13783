namespace MLCardiac.Search;

/// <summary>The refitted model's 3D Dice on one test case (one subject × frame), as <see cref="RefitResult.Cases"/> lists them.</summary>
/// <param name="Subject">Dataset subject code.</param>
/// <param name="Vendor">Vendor code.</param>
/// <param name="Frame">"ED" or "ES".</param>
/// <param name="Lv">Dice of the LV blood pool.</param>
/// <param name="Myo">Dice of the LV myocardium.</param>
/// <param name="Rv">Dice of the RV blood pool.</param>
public sealed record RefitCase(string Subject, string Vendor, string Frame, double Lv, double Myo, double Rv)
{
    /// <summary>Mean of the three structures' Dice.</summary>
    public double MeanDice => (Lv + Myo + Rv) / 3;
}
