using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MLCardiac.Imaging;
using MLCardiac.Server;
using MLCardiac.Server.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace MLCardiac.Tests.Server;

/// <summary>The service's defences, in process over loopback: the memory budget, stalled uploads, and the refusals of odd requests.</summary>
[TestClass]
public sealed class ServerLimitsTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static ServerFixture F => ServerFixture.Shared;

    private static async Task<(HttpStatusCode Status, string Title, string Detail)> Problem(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.OK) return (response.StatusCode, "", body);
        using JsonDocument doc = JsonDocument.Parse(body);
        return (response.StatusCode, doc.RootElement.GetProperty("title").GetString()!, doc.RootElement.GetProperty("detail").GetString()!);
    }

    private static string Query => $"?ed={F.Subject.Info.EdFrame}&es={F.Subject.Info.EsFrame}";

    [TestMethod]
    [DataRow(0)]
    [DataRow(-3)]
    public async Task Segment_HeaderWithNonPositiveDimension_Returns400NamingTheDimension(int dim)
    {
        await using RunningServer server = await F.StartAsync();

        var (status, _, detail) = await Problem(await server.SegmentAsync(AttackFiles.DeclaringVoxels(64, 64, dim)));

        Assert.AreEqual(HttpStatusCode.BadRequest, status, detail);
        StringAssert.Contains(detail, $"dim[3] = {dim}");
    }

    [TestMethod]
    public async Task Segment_PartHeaderOver16KiB_Returns400NotTooLarge()
    {
        await using RunningServer server = await F.StartAsync();
        string body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.nii.gz\"\r\nX-Padding: " + new string('a', 20_000)
            + "\r\n\r\nxxxx\r\n--b--\r\n";
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");

        var (status, _, detail) = await Problem(await server.Client.PostAsync(new Uri("/api/segment", UriKind.Relative), content));

        Assert.AreEqual(HttpStatusCode.BadRequest, status, detail);
        StringAssert.Contains(detail, "headers are too long");
    }

    [TestMethod]
    public async Task Segment_FilePartWithEmptyFileName_IsTheFile()
    {
        await using RunningServer server = await F.StartAsync();
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(F.ScanGz);
        file.Headers.TryAddWithoutValidation("Content-Disposition", "form-data; name=\"file\"; filename=\"\"");
        form.Add(file);

        var (status, _, detail) = await Problem(await server.Client.PostAsync(new Uri("/api/segment" + Query, UriKind.Relative), form));

        Assert.AreEqual(HttpStatusCode.OK, status, detail);
    }

    [TestMethod]
    [DataRow("?ed=0&ed=3&es=1", null)]
    [DataRow("?es=1", "ed")]
    public async Task Segment_FrameGivenTwice_Returns400(string query, string? formField)
    {
        await using RunningServer server = await F.StartAsync();
        var fields = formField is null ? [] : new[] { new KeyValuePair<string, string>(formField, "0"), new KeyValuePair<string, string>(formField, "3") };

        var (status, title, detail) = await Problem(await server.SegmentAsync(F.ScanGz, query, fields: fields));

        Assert.AreEqual(HttpStatusCode.BadRequest, status, detail);
        Assert.AreEqual("Repeated field", title);
        StringAssert.Contains(detail, "ed");
    }

    [TestMethod]
    public async Task Segment_NegativeFrame_Returns400OnA3DFrameAsOnACine()
    {
        await using RunningServer server = await F.StartAsync();
        Volume scan = F.Scan;
        byte[] frame3d = ServerFixture.Gzip(new Volume(scan.Frame(0).ToArray(), [scan.SizeX, scan.SizeY, scan.SizeZ], scan.SpacingMm));

        var (status3d, _, detail3d) = await Problem(await server.SegmentAsync(frame3d, "?ed=-1&es=0"));
        var (statusCine, _, detailCine) = await Problem(await server.SegmentAsync(F.ScanGz, "?ed=-1&es=0"));

        Assert.AreEqual(HttpStatusCode.BadRequest, status3d, detail3d);
        Assert.AreEqual(HttpStatusCode.BadRequest, statusCine, detailCine);
        StringAssert.Contains(detail3d, "ed=-1");
        Assert.AreEqual(detailCine, detail3d, "the same refusal whatever the image");
    }

    [TestMethod]
    public async Task Segment_OverTheMemoryBudget_Returns503WithRetryAfter_HealthDegraded_SmallScansStillServed()
    {
        // Requests may reserve about 400 MiB; an image declaring 2^26 voxels needs more than 512 MiB.
        await using RunningServer server = await F.StartAsync(o => o with { MemoryBudgetBytes = Environment.WorkingSet + (400L << 20) });
        var budget = server.App.Services.GetRequiredService<MemoryBudget>();
        byte[] huge = AttackFiles.DeclaringVoxels(256, 256, 16, 64);

        HttpResponseMessage refused = await server.SegmentAsync(huge, "?ed=0&es=1");
        var (status, title, detail) = await Problem(refused);
        var health = await server.Client.GetFromJsonAsync<HealthInfo>(new Uri("/healthz", UriKind.Relative), Json);
        var (okStatus, _, okBody) = await Problem(await server.SegmentAsync(F.ScanGz, Query));

        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, status, detail);
        Assert.AreEqual("Memory budget exhausted", title);
        Assert.IsNotNull(refused.Headers.RetryAfter);
        Assert.AreEqual("degraded", health!.Status);
        Assert.IsTrue(health.Reasons.Any(r => r.Contains("memory budget", StringComparison.Ordinal)), string.Join(" | ", health.Reasons));
        Assert.AreEqual(HttpStatusCode.OK, okStatus, okBody);
        Assert.AreEqual(0, budget.ReservedBytes, "every reservation is released when its request ends");
    }

    [TestMethod]
    public async Task Upload_StalledClientsDeclaringTheSizeLimit_HoldOnlyWhatArrivedAndAreDisconnected()
    {
        await using RunningServer server = await F.StartAsync(o => o with { UploadGracePeriod = TimeSpan.FromSeconds(2), MinUploadBytesPerSecond = 4096 });
        var budget = server.App.Services.GetRequiredService<MemoryBudget>();
        var sockets = new List<TcpClient>();
        try
        {
            // Ten clients declare the 256 MiB limit, send 1200 bytes of the file each, and stall.
            for (int i = 0; i < 10; i++)
            {
                var tcp = new TcpClient();
                await tcp.ConnectAsync(server.Address.Host, server.Address.Port);
                string head = $"POST /api/segment HTTP/1.1\r\nHost: {server.Address.Authority}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: {256L << 20}\r\n\r\n"
                    + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.nii.gz\"\r\n\r\n";
                await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head).Concat(new byte[1200]).ToArray());
                sockets.Add(tcp);
            }
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (budget.ReservedBytes < 10L * Upload.BlockBytes && DateTime.UtcNow < deadline) await Task.Delay(20);
            long held = budget.ReservedBytes;

            var (status, _, body) = await Problem(await server.SegmentAsync(F.ScanGz, Query));

            Assert.AreEqual(10L * Upload.BlockBytes, held, "each stalled upload holds one block, not its declared length");
            Assert.AreEqual(HttpStatusCode.OK, status, body);
            // Past the grace period the trickle is below the minimum rate: Kestrel drops them and their blocks come back.
            deadline = DateTime.UtcNow.AddSeconds(30);
            while (budget.ReservedBytes > 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.AreEqual(0, budget.ReservedBytes);
            foreach (TcpClient tcp in sockets)
            {
                tcp.ReceiveTimeout = 10_000;
                var buffer = new byte[4096];
                int n;
                try { while ((n = tcp.GetStream().Read(buffer)) > 0) { } }
                catch (IOException) { }
            }
        }
        finally
        {
            foreach (TcpClient tcp in sockets) tcp.Dispose();
        }
    }

    [TestMethod]
    public void MemoryBudget_Reservations_RefusedBeyondCapacity_ReleasedOnDispose()
    {
        using var budget = new MemoryBudget(1000L << 20);
        budget.SetBaseline(600L << 20);

        using (MemoryBudget.Reservation a = budget.TryReserve(300L << 20)!)
        {
            Assert.AreEqual(400L << 20, budget.CapacityBytes);
            Assert.IsNull(budget.TryReserve(101L << 20), "300 + 101 MiB exceed the 400 MiB left");
            Assert.IsTrue(budget.IsExhausted, "a refusal marks the budget exhausted for a while");
            Assert.IsFalse(a.TryGrow(101L << 20));
            Assert.IsTrue(a.TryGrow(100L << 20));
            Assert.AreEqual(400L << 20, budget.ReservedBytes);
        }
        Assert.AreEqual(0, budget.ReservedBytes);
        Assert.ThrowsExactly<MLCardiacException>(() => budget.SetBaseline(980L << 20));
    }

    [TestMethod]
    [DataRow("1.5g", 1.5 * (1L << 30))]
    [DataRow("800m", 800.0 * (1 << 20))]
    [DataRow("800MiB", 800.0 * (1 << 20))]
    [DataRow("4096", 4096.0)]
    public void MemoryBudget_ParseSize_ReadsUnits(string text, double expected) =>
        Assert.AreEqual((long)expected, MemoryBudget.ParseSize(text, "--memory-budget"));

    [TestMethod]
    public void MemoryBudget_ParseSize_BadText_ErrorNamesTheOption()
    {
        var e = Assert.ThrowsExactly<MLCardiacException>(() => MemoryBudget.ParseSize("lots", "--memory-budget"));
        StringAssert.Contains(e.Message, "--memory-budget lots");
    }

    [TestMethod]
    public void RequestOutcomes_LastWindowAllFailed_OnlyThen()
    {
        var outcomes = new RequestOutcomes(3);
        outcomes.Record(failed: true);
        outcomes.Record(failed: true);
        Assert.IsFalse(outcomes.AllRecentFailed, "fewer than the window");
        outcomes.Record(failed: true);
        Assert.IsTrue(outcomes.AllRecentFailed);
        outcomes.Record(failed: false);
        Assert.IsFalse(outcomes.AllRecentFailed);
        Assert.AreEqual(2, outcomes.Failures);
    }
}
