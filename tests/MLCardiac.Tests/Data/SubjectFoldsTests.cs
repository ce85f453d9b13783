using MLCardiac.Data;

namespace MLCardiac.Tests.Data;

/// <summary>Cross-validation folds by subject (<see cref="SubjectSplit.Folds"/>).</summary>
[TestClass]
public sealed class SubjectFoldsTests
{
    /// <summary>ED and ES of <paramref name="perVendor"/> subjects for each vendor.</summary>
    private static List<CaseRecord> Records(params (string Vendor, int Subjects)[] perVendor) =>
        [.. perVendor.SelectMany(v => Enumerable.Range(0, v.Subjects).SelectMany(i => new[] { FrameRole.ED, FrameRole.ES }
            .Select(role => new CaseRecord($"{v.Vendor}{i:00}", v.Vendor, null, role, "", 0, "", 0, ""))))];

    [TestMethod]
    public void Folds_ValidateEverySubjectOnce_KeepFramesTogether_AndBalanceVendors()
    {
        var records = Records(("A", 11), ("B", 7), ("C", 2));
        var folds = SubjectSplit.Folds(records, 5, seed: 3);

        Assert.AreEqual(5, folds.Count);
        var validated = folds.SelectMany(f => f.Validation.Select(r => r.Subject).Distinct()).ToList();
        CollectionAssert.AreEquivalent(records.Select(r => r.Subject).Distinct().ToList(), validated, "every subject validated exactly once");
        foreach (var (train, validation) in folds)
        {
            var inValidation = validation.Select(r => r.Subject).ToHashSet();
            Assert.IsFalse(train.Any(r => inValidation.Contains(r.Subject)), "no subject on both sides of a fold");
            Assert.AreEqual(records.Count, train.Count + validation.Count, "each fold uses every record");
            Assert.IsTrue(validation.GroupBy(r => r.Subject).All(g => g.Count() == 2), "ED and ES of a subject together");
        }
        int[] sizes = [.. folds.Select(f => f.Validation.Select(r => r.Subject).Distinct().Count())];
        Assert.IsTrue(sizes.Max() - sizes.Min() <= 1, $"fold sizes {string.Join(", ", sizes)} differ by at most one subject");
        foreach (string vendor in new[] { "A", "B" })
        {
            int[] perFold = [.. folds.Select(f => f.Validation.Where(r => r.Vendor == vendor).Select(r => r.Subject).Distinct().Count())];
            Assert.IsTrue(perFold.Max() - perFold.Min() <= 1, $"vendor {vendor} spread over the folds: {string.Join(", ", perFold)}");
        }
    }

    [TestMethod]
    public void Folds_SameSeedSameFolds_OtherSeedOtherFolds()
    {
        var records = Records(("A", 10), ("B", 10));
        string Key(int seed) => string.Join("|", SubjectSplit.Folds(records, 4, seed).Select(f => string.Join(",", f.Validation.Select(r => r.Subject).Distinct().Order())));
        Assert.AreEqual(Key(1), Key(1));
        Assert.AreNotEqual(Key(1), Key(2));
    }

    [TestMethod]
    public void Folds_FewerThanTwoOrMoreThanSubjects_Refused()
    {
        var records = Records(("A", 3));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SubjectSplit.Folds(records, 1, 1));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SubjectSplit.Folds(records, 4, 1));
        StringAssert.Contains(e.Message, "2 to 3 folds");
        Assert.AreEqual(3, SubjectSplit.Folds(records, 3, 1).Count, "leave-one-subject-out is the limit");
    }
}
