using MLCardiac.Data.Synthetic;
using MLCardiac.Imaging;

namespace MLCardiac.Tests.Data;

[TestClass]
public sealed class SyntheticDatasetWriterTests
{
    private static string NewTempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlcardiac-synth-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    [TestMethod]
    public void Write_OneLabeledOneUnlabeledVendor_MnmsLayoutCsvAndVolumesRoundTrip()
    {
        string dir = NewTempDirectory();
        try
        {
            var writer = new SyntheticDatasetWriter(SyntheticTestCohort.Generator);
            var request = new SyntheticDatasetRequest { Vendors = [VendorProfiles.B], UnlabeledVendors = [VendorProfiles.C], SubjectsPerVendor = 1 };
            IReadOnlyList<SyntheticSubjectInfo> infos = writer.Write(dir, request);
            Assert.HasCount(2, infos);

            string[] lines = File.ReadAllLines(Path.Combine(dir, SyntheticDatasetWriter.CsvFileName));
            Assert.AreEqual(",External code,VendorName,Vendor,Centre,ED,ES,Age,Pathology,Sex,Height,Weight,Scanner,FieldStrength", lines[0]);
            Assert.HasCount(3, lines);
            string[] header = lines[0].Split(',');
            for (int row = 1; row < lines.Length; row++)
            {
                string[] f = lines[row].Split(',');
                Assert.HasCount(header.Length, f);
                Assert.AreEqual(row - 1, int.Parse(f[0]));
                Assert.MatchesRegex("^[0-9A-Z]{6}$", f[1]);
                Assert.Contains(f[3], (string[])["B", "C"]);
                Assert.Contains(f[8], (string[])["NOR", "DCM", "HCM", "HHD", "ARV", "AHS", "IHD", "LVNC"]);
                Assert.AreEqual(VendorProfiles.Get(f[3]).Centre(int.Parse(f[4])).Scanner, f[12]);
                Assert.AreEqual(VendorProfiles.Get(f[3]).Centre(int.Parse(f[4])).FieldStrengthT, double.Parse(f[13], System.Globalization.CultureInfo.InvariantCulture));
                Assert.Contains(f[9], (string[])["M", "F"]);
                _ = int.Parse(f[4]) + int.Parse(f[7]) + double.Parse(f[10]) + double.Parse(f[11]);

                string code = f[1];
                int ed = int.Parse(f[5]), es = int.Parse(f[6]);
                bool labeled = f[3] != "C";
                string image = Path.Combine(dir, "Training", labeled ? "Labeled" : "Unlabeled", code, code + "_sa.nii.gz");
                string gt = Path.Combine(dir, "Training", "Labeled", code, code + "_sa_gt.nii.gz");
                Assert.IsTrue(File.Exists(image), image);
                Assert.AreEqual(labeled, File.Exists(gt), gt);
                Assert.AreEqual(NiftiDataType.Int16, (NiftiDataType)NiftiReader.ReadHeader(image).DataTypeCode);

                SyntheticSubject subject = SyntheticTestCohort.Get(VendorProfiles.Get(f[3]), 0);
                Volume volume = NiftiReader.Read(image);
                CollectionAssert.AreEqual(new[] { subject.SizeX, subject.SizeY, subject.SliceCount, subject.FrameCount }, volume.Shape);
                Assert.AreEqual(subject.PixelSpacingMm, volume.SpacingMm.X, 1e-4);
                Assert.AreEqual(subject.SliceSpacingMm, volume.SpacingMm.Z, 1e-4, "voxel size along z = slice spacing (thickness + gap)");
                Assert.AreEqual(VendorProfiles.Get(f[3]).Storage.RescaleSlope, NiftiReader.ReadHeader(image).SclSlope, 1e-6, "the vendor's rescale slope as scl_slope");
                // dcm2niix stores the rows reversed; the affine maps stored voxel (i, j) where the display affine maps (i, rows − 1 − j).
                Assert.IsTrue(subject.FlipRows);
                int w = subject.SizeX, h = subject.SizeY;
                ReadOnlySpan<float> stored = volume.Voxels;
                for (int k = 0; k < subject.SliceCount * subject.FrameCount; k += 3)
                    for (int j = 0; j < h; j += 7)
                        for (int i = 0; i < w; i += 5)
                            Assert.AreEqual(subject.Image[(((k * h) + (h - 1 - j)) * w) + i] * (float)subject.ScaleSlope, stored[(((k * h) + j) * w) + i], 1e-3f);
                Affine display = subject.DisplayVoxelToWorld!;
                var world = volume.VoxelToWorld.Apply(3, 10, 2);
                var expectedWorld = display.Apply(3, h - 1 - 10, 2);
                Assert.AreEqual(expectedWorld.X, world.X, 1e-3);
                Assert.AreEqual(expectedWorld.Y, world.Y, 1e-3);
                Assert.AreEqual(expectedWorld.Z, world.Z, 1e-3);
                Assert.AreEqual(60.0 / subject.Info.HeartRateBpm / subject.FrameCount, volume.TimeStepS, 1e-4);
                if (!labeled)
                {
                    continue;
                }
                Assert.AreEqual(NiftiDataType.UInt8, (NiftiDataType)NiftiReader.ReadHeader(gt).DataTypeCode);
                Volume labels = NiftiReader.Read(gt);
                int frameSize = subject.SizeX * subject.SizeY * subject.SliceCount;
                for (int t = 0; t < subject.FrameCount; t++)
                {
                    Span<float> frame = labels.Voxels.Slice(t * frameSize, frameSize);
                    if (t == ed || t == es)
                    {
                        ReadOnlySpan<byte> expected = subject.Labels.Slice(t * frameSize, frameSize);
                        for (int z = 0; z < subject.SliceCount; z++)
                            for (int j = 0; j < h; j++)
                                for (int i = 0; i < w; i++)
                                    Assert.AreEqual(expected[(((z * h) + (h - 1 - j)) * w) + i], (byte)frame[(((z * h) + j) * w) + i]);
                    }
                    else
                    {
                        Assert.IsFalse(frame.ContainsAnyExcept(0f), $"frame {t} is not ED/ES and must be empty");
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void Write_NoSubjects_ThrowsOurException()
    {
        var writer = new SyntheticDatasetWriter(SyntheticTestCohort.Generator);
        Assert.ThrowsExactly<MLCardiacException>(() => writer.Write(Path.GetTempPath(), new SyntheticDatasetRequest { SubjectsPerVendor = 0 }));
        Assert.ThrowsExactly<MLCardiacException>(() => writer.Write(Path.GetTempPath(), new SyntheticDatasetRequest { Vendors = [] }));
    }

    [TestMethod]
    public void Create_Montage_SizeFollowsRowsAndContoursAreDrawn()
    {
        SyntheticSubject a = SyntheticTestCohort.Get(VendorProfiles.A, 0), d = SyntheticTestCohort.Get(VendorProfiles.D, 0);
        PreviewRow[] rows = [new(a, a.Info.EdFrame), new(a, a.Info.EsFrame), new(d, d.Info.EdFrame)];
        PreviewMontage montage = PreviewMontage.Create(rows, tilePixels: 100);
        Assert.AreEqual((Math.Max(a.SliceCount, d.SliceCount) * 104) + 4, montage.Width, "one tile per slice, base to apex");
        Assert.AreEqual((3 * 104) + 4, montage.Height, "one row per subject and frame");
        ReadOnlySpan<byte> px = montage.Rgba.Span;
        bool red = false, green = false, blue = false;
        for (int i = 0; i < px.Length; i += 4)
        {
            red |= px[i] == 255 && px[i + 1] == 64 && px[i + 2] == 64;
            green |= px[i] == 64 && px[i + 1] == 230 && px[i + 2] == 64;
            blue |= px[i] == 80 && px[i + 1] == 140 && px[i + 2] == 255;
        }
        Assert.IsTrue(red && green && blue);
        PreviewMontage plain = PreviewMontage.Create(rows, tilePixels: 100, drawContours: false);
        Assert.IsFalse(plain.Rgba.Span.SequenceEqual(px));
    }
}
