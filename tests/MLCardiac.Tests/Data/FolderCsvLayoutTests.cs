using MLCardiac.Data;
using MLCardiac.Imaging;

namespace MLCardiac.Tests.Data;

[TestClass]
public sealed class FolderCsvLayoutTests
{
    [TestMethod]
    public void Load_CasesCsv_IndexesRowsAndReportsEachBadOne()
    {
        string root = Path.Combine(Path.GetTempPath(), "mlcardiac-foldercsv-" + Guid.NewGuid().ToString("N"));
        try
        {
            var cine = new Volume(new float[8 * 8 * 2 * 5], [8, 8, 2, 5], new Spacing(1.25, 1.25, 8));
            NiftiWriter.Write(cine, Path.Combine(root, "img", "s1.nii.gz"));
            NiftiWriter.Write(cine, Path.Combine(root, "lab", "s1.nii.gz"));
            File.WriteAllText(Path.Combine(root, FolderCsvLayout.CsvName),
                "subject,vendor,centre,frame,image,label,image_frame,label_frame,field\n" +
                "s1,X,Lab 1,ED,img/s1.nii.gz,lab/s1.nii.gz,0,0,1.5\n" +
                "s1,X,Lab 1,ES,img/s1.nii.gz,lab/s1.nii.gz,3,3,1.5\n" +
                "s2,X,Lab 1,ED,img/missing.nii.gz,,0,0,\n" +
                "s3,X,Lab 1,XX,img/s1.nii.gz,,0,0,\n" +
                "s4,X,Lab 1,ES,img/s1.nii.gz,,7,0,\n");

            DatasetIndex index = DatasetLayouts.Load(root);

            Assert.AreEqual(FolderCsvLayout.Name, index.Layout);
            Assert.HasCount(2, index.Records);
            Assert.AreEqual(3, index.Records.Single(r => r.Role == FrameRole.ES).ImageFrame);
            Assert.AreEqual(1.5, index.Records[0].FieldStrengthT);
            Assert.IsTrue(index.Problems.Any(p => p.Subject == "s2" && p.Message == "file is missing"));
            Assert.IsTrue(index.Problems.Any(p => p.Subject == "s3" && p.Message.Contains("ED or ES", StringComparison.Ordinal) && p.Path.EndsWith(":5", StringComparison.Ordinal)));
            Assert.IsTrue(index.Problems.Any(p => p.Subject == "s4" && p.Message.Contains("frame 7", StringComparison.Ordinal)));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
