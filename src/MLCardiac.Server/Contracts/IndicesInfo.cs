namespace MLCardiac.Server.Contracts;

/// <summary>Clinical indices from the ED and ES label volumes (<see cref="MLCardiac.Evaluation.ClinicalIndices"/>); an EF is null when its EDV is 0.</summary>
/// <param name="LvEdvMl">LV end-diastolic volume, ml.</param>
/// <param name="LvEsvMl">LV end-systolic volume, ml.</param>
/// <param name="LvEfPercent">LV ejection fraction, %.</param>
/// <param name="RvEdvMl">RV end-diastolic volume, ml.</param>
/// <param name="RvEsvMl">RV end-systolic volume, ml.</param>
/// <param name="RvEfPercent">RV ejection fraction, %.</param>
/// <param name="LvMassG">LV myocardial mass at ED, g.</param>
public sealed record IndicesInfo(double LvEdvMl, double LvEsvMl, double? LvEfPercent, double RvEdvMl, double RvEsvMl, double? RvEfPercent, double LvMassG);
