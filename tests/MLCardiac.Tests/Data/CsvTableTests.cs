using MLCardiac.Data;

namespace MLCardiac.Tests.Data;

/// <summary>The metadata CSV reader: RFC 4180 quoting, BOM, CRLF, blank lines, and a one-line error for an unclosed quote.</summary>
[TestClass]
public sealed class CsvTableTests
{
    private static string Write(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), "mlcardiac-csv-" + Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path, text);
        return path;
    }

    [TestMethod]
    public void Read_QuotedCommasDoubledQuotesMultilineBomCrlf_CellsAsWritten()
    {
        string path = Write("\uFEFFExternal code, Vendor ,Notes\r\nA1B2C3,A,\"x, \"\"q\"\"\"\r\n\r\nD4E5F6,B,\"two\nlines\"\n");
        try
        {
            var csv = CsvTable.Read(path);

            CollectionAssert.AreEqual(new[] { "External code", " Vendor ", "Notes" }, csv.Header.ToArray());
            Assert.IsTrue(csv.HasColumns("external code", "vendor", "notes"), "names are trimmed and case-insensitive");
            Assert.HasCount(2, csv.Rows, "the blank line is no row");
            Assert.AreEqual("x, \"q\"", csv.Cell(csv.Rows[0], "Notes"));
            Assert.AreEqual("two\nlines", csv.Cell(csv.Rows[1], "Notes"));
            Assert.AreEqual("B", csv.Cell(csv.Rows[1], "Vendor"));
            Assert.IsNull(csv.Cell(csv.Rows[1], "Centre"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Read_UnclosedQuote_RefusedNamingTheFileAndLine()
    {
        string path = Write("a,b\n1,2\n3,\"open\n4,5\n");
        try
        {
            var e = Assert.ThrowsExactly<MLCardiacException>(() => CsvTable.Read(path));

            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, "not closed");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
