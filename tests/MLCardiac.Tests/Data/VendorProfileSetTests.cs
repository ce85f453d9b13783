using MLCardiac.Data.Synthetic;

namespace MLCardiac.Tests.Data;

/// <summary>Vendor/centre profiles read from JSON: built-ins as defaults, overrides, and errors that name the file and path.</summary>
[TestClass]
public sealed class VendorProfileSetTests
{
    [TestMethod]
    public void Parse_BasedOnABuiltIn_OverridesOnlyWhatItGivesAndMergesCentresById()
    {
        const string json = """
            { "schemaVersion": 1,
              "vendors": [ { "code": "E", "basedOn": "A", "vendorName": "Siemens-like site E",
                             "centres": [ { "id": 6, "fieldStrengthT": 3.0, "protocol": { "flipAngleDeg": 35 } },
                                          { "id": 9, "scanner": "1.5 T Sola-like", "fieldStrengthT": 1.5, "coil": { "anteriorElements": 18, "posteriorElements": 32, "effectiveChannels": 12 },
                                            "protocol": { "repetitionTimeMs": 2.9, "echoTimeMs": 1.4, "flipAngleDeg": 65, "bandwidthHzPerPixel": 1000, "fovReadMm": 360,
                                                          "reconMatrixRead": 256, "acquiredFractionRead": 0.75, "phaseResolution": 0.8, "sliceThicknessMm": 7 } } ] } ],
              "pathologyMix": { "NOR": 1, "DCM": 1 } }
            """;

        VendorProfileSet set = VendorProfileSet.Parse(json, "e.json");

        CollectionAssert.AreEqual(new[] { "A", "B", "C", "D", "E" }, set.Codes.ToArray());
        VendorProfile e = set.Get("e");
        Assert.AreEqual("Siemens-like site E", e.VendorName);
        Assert.AreEqual(VendorProfiles.A.Storage, e.Storage, "not given: the built-in's");
        Assert.HasCount(3, e.Centres);
        Assert.AreEqual(35, e.Centre(6).Protocol.FlipAngleDeg);
        Assert.AreEqual(VendorProfiles.A.Centre(6).Protocol.RepetitionTimeMs, e.Centre(6).Protocol.RepetitionTimeMs, "merged key by key");
        Assert.AreEqual(VendorProfiles.A.Centre(1), e.Centre(1), "untouched centre kept");
        Assert.AreEqual(12, e.Centre(9).Coil.EffectiveChannels);
        Assert.AreEqual(2, set.PathologyMix.Count);
        Assert.AreSame(VendorProfiles.A, set.Get("A"));
    }

    [TestMethod]
    public void ToJson_ThenParse_GivesEqualProfiles()
    {
        VendorProfileSet again = VendorProfileSet.Parse(VendorProfileSet.BuiltIn.ToJson(), "built-in.json");

        foreach (VendorProfile v in VendorProfiles.All)
        {
            VendorProfile read = again.Get(v.Code);
            Assert.AreEqual(v.VendorName, read.VendorName);
            Assert.AreEqual(v.Storage, read.Storage);
            Assert.AreEqual(v.Reconstruction, read.Reconstruction);
            CollectionAssert.AreEqual(v.Centres.ToArray(), read.Centres.ToArray());
        }
    }

    [TestMethod]
    [DataRow("""{ "vendors": [ { "basedOn": "A", "centres": [ { "id": 1, "protocol": { "flipAngleDeg": 500 } } ] } ] }""", "$.vendors[0].centres[0].protocol.flipAngleDeg")]
    [DataRow("""{ "vendors": [ { "basedOn": "B", "storage": { "scale": 100, "colour": 3 } } ] }""", "$.vendors[0].storage")]
    [DataRow("""{ "vendors": [ { "basedOn": "Q" } ] }""", "$.vendors[0].basedOn")]
    [DataRow("""{ "vendors": [ { "basedOn": "A", "code": "A B" } ] }""", "$.vendors[0].code")]
    [DataRow("""{ "pathologyMix": { "XYZ": 1 } }""", "$.pathologyMix.XYZ")]
    [DataRow("""{ "vendor": [] }""", "$.vendor")]
    public void Parse_BadProfile_OneLineNamingTheFileAndPath(string json, string path)
    {
        var ex = Assert.ThrowsExactly<MLCardiacException>(() => VendorProfileSet.Parse(json, "mine.json"));

        StringAssert.StartsWith(ex.Message, "mine.json: ");
        StringAssert.Contains(ex.Message, path);
        Assert.IsFalse(ex.Message.Contains('\n', StringComparison.Ordinal), ex.Message);
    }

    [TestMethod]
    public void Load_MissingFile_OurException()
    {
        var ex = Assert.ThrowsExactly<MLCardiacException>(() => VendorProfileSet.Load(Path.Combine(Path.GetTempPath(), "no-such-profiles.json")));
        StringAssert.Contains(ex.Message, "not found");
        Assert.AreSame(VendorProfileSet.BuiltIn, VendorProfileSet.Load(null));
    }
}
