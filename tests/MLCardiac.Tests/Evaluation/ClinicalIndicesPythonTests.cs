using System.Text.Json;
using MLCardiac.Data;
using MLCardiac.Data.Synthetic;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;
using MLCardiac.Tests.Data;
using MLCardiac.Tests.Imaging;

namespace MLCardiac.Tests.Evaluation;

/// <summary>EF, volumes and mass as MLCardiac computes them from a written label file, against nibabel + numpy.</summary>
[TestClass]
public sealed class ClinicalIndicesPythonTests
{
    [TestMethod]
    public void FromLabels_SyntheticSubjectsOnDisk_EqualNibabelAndNumpy()
    {
        string? python = NibabelPython.TryGetInterpreter(out string reason);
        if (python is null)
        {
            NibabelPython.Skip(reason);
            return;
        }
        string dir = Path.Combine(Path.GetTempPath(), "mlcardiac-clinical-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Vendor B: rows flipped by the converter and a rescale slope; vendor D: slices with gaps.
            new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(dir, new SyntheticDatasetRequest { Vendors = [VendorProfiles.B, VendorProfiles.D], SubjectsPerVendor = 1 });
            foreach (var subject in MnmsLayout.Load(dir).Records.Where(r => r.IsLabeled).GroupBy(r => r.Subject))
            {
                CaseRecord ed = subject.Single(r => r.Role == FrameRole.ED), es = subject.Single(r => r.Role == FrameRole.ES);
                Volume labels = NiftiReader.Read(ed.LabelPath!);
                var s = labels.SpacingMm;
                ClinicalIndices ours = ClinicalIndices.FromLabels(labels.Frame(ed.LabelFrame).Span, labels.Frame(es.LabelFrame).Span, s.X * s.Y * s.Z / 1000);
                string script = Path.Combine(AppContext.BaseDirectory, "Evaluation", "Scripts", "clinical_indices.py");
                (int code, string stdout, string stderr) = NibabelPython.Run(python, [script, ed.LabelPath!, ed.LabelFrame.ToString(System.Globalization.CultureInfo.InvariantCulture), es.LabelFrame.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(2));
                Assert.AreEqual(0, code, stderr);
                using JsonDocument r = JsonDocument.Parse(stdout);
                double P(string name) => r.RootElement.GetProperty(name).GetDouble();
                Assert.AreEqual(P("lv_edv"), ours.LvEdvMl, 1e-6 * P("lv_edv"), subject.Key);
                Assert.AreEqual(P("lv_esv"), ours.LvEsvMl, 1e-6 * P("lv_esv"));
                Assert.AreEqual(P("lv_ef"), ours.LvEfPercent, 1e-6);
                Assert.AreEqual(P("rv_edv"), ours.RvEdvMl, 1e-6 * P("rv_edv"));
                Assert.AreEqual(P("rv_ef"), ours.RvEfPercent, 1e-6);
                Assert.AreEqual(P("lv_mass"), ours.MyoMassG, 1e-6 * P("lv_mass"));
                Assert.IsGreaterThan(0.0, ours.LvEfPercent);
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
