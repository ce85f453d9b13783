using System.Text.RegularExpressions;
using MLCardiac.Data.Synthetic;
using MLCardiac.Tests.Cli;
using MLCardiac.Tests.Data;

namespace MLCardiac.Tests.Reports;

/// <summary><c>mlcardiac data report</c> on a small synthetic dataset: every section present, every figure decodes in a browser.</summary>
[TestClass]
public sealed class DataReportTests
{
    [TestMethod]
    public void DataReport_SyntheticDataset_WritesEverySectionAndFiguresRender()
    {
        string root = Path.Combine(Path.GetTempPath(), "mlcardiac-datareport-" + Guid.NewGuid().ToString("N"));
        try
        {
            string data = Path.Combine(root, "data");
            new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(data, new SyntheticDatasetRequest
            {
                Vendors = [VendorProfiles.A, VendorProfiles.D],
                UnlabeledVendors = [VendorProfiles.D],
                UnlabeledPerVendor = 1,
                SubjectsPerVendor = 2,
            });
            string output = Path.Combine(root, "report");

            (int code, string text) = CliRunner.Run("data", "report", data, "--out", output);

            Assert.AreEqual(0, code, text);
            string html = File.ReadAllText(Path.Combine(output, "report.html"));
            foreach (string section in new[] { "Subjects per vendor", "Subjects per centre", "Subjects per pathology", "Spacing and matrix size per vendor",
                "Raw voxel intensities per vendor", "After the training preprocessing", "Structure volumes", "LV EF", "Mid-ventricular ED slices" })
                Assert.IsTrue(html.Contains(section, StringComparison.Ordinal), $"section \"{section}\" is missing");
            Assert.DoesNotContain("http://", html);
            // The realism check: indices per pathology beside each subject's published range, and how many fall inside.
            StringAssert.Contains(html, "Realism check: cardiac indices per pathology beside published ranges");
            var inside = Regex.Matches(html, "<td>(\\d+)/(\\d+)</td>").Select(x => (In: int.Parse(x.Groups[1].Value), Of: int.Parse(x.Groups[2].Value))).ToList();
            Assert.IsGreaterThanOrEqualTo(6, inside.Count, "six indices for the pathologies of four labeled subjects");
            Assert.IsGreaterThanOrEqualTo(0.8, inside.Sum(x => x.In) / (double)inside.Sum(x => x.Of), "the phantom's subjects measure inside the ranges they were drawn from");
            int images = Regex.Count(html, "<img ");
            Assert.IsGreaterThanOrEqualTo(4 + 2 + 4 + 4, images, "bars, geometry, histograms, volumes and two slices per vendor");

            string browser = HeadlessChromium.Require();
            Match m = Regex.Match(HeadlessChromium.DumpDom(browser, Path.Combine(output, "report.html")), "data-figures=\"(\\d+)/(\\d+)\"");
            Assert.IsTrue(m.Success);
            Assert.AreEqual(m.Groups[2].Value, m.Groups[1].Value, "every <img> decoded");
            Assert.AreEqual(images.ToString(System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
