namespace MLCardiac.Tests.Cli;

/// <summary><c>mlcardiac serve</c>'s refusals (the service itself is tested over HTTP in Server/).</summary>
[TestClass]
public sealed class ServeCommandTests
{
    [TestMethod]
    public void Serve_NoModelFolder_ExitsWithHowToMakeOne()
    {
        string missing = Path.Combine(Path.GetTempPath(), "mlcardiac-no-model-" + Guid.NewGuid().ToString("N"));

        (int code, string output) = CliRunner.Run("serve", "--model", missing, "--urls", "http://127.0.0.1:0");

        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "make serve");
        StringAssert.Contains(output, "no model.zip");
    }

    [TestMethod]
    public void Serve_MissingClassifierFolder_ExitsNamingIt()
    {
        string missing = Path.Combine(Path.GetTempPath(), "mlcardiac-no-classifier-" + Guid.NewGuid().ToString("N"));

        (int code, string output) = CliRunner.Run("serve", "--classifier", missing);

        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "classify-vendor");
    }
}
