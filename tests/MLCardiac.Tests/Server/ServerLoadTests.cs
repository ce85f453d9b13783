using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MLCardiac.Server.Contracts;

namespace MLCardiac.Tests.Server;

/// <summary>
/// The service as a separate process under a .NET heap limit (DOTNET_GCHeapHardLimit), attacked over loopback the way
/// the issue's attack run did — stalled uploads declaring the size limit, then a burst of uploads declaring the voxel
/// limit — with legitimate requests in between: no 500, the legitimate ones served, the service healthy afterwards.
/// Bounded: ten stalled connections, three plus six requests, about half a minute.
/// </summary>
[TestClass]
public sealed class ServerLoadTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static ServerFixture F => ServerFixture.Shared;

    [TestMethod]
    public async Task ChildServer_StalledUploadsThenMaxVoxelBurst_No500_LegitimateServed_HealthyAfter()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "MLCardiac.Server.dll");
        const long heapLimit = 768L << 20;
        const int maxVoxels = 1 << 24;
        await using ServerProcess server = await ServerProcess.StartAsync(dll, F.ModelDirectory,
            ["--max-voxels", $"{maxVoxels}", "--workers", "1"], heapLimit, TimeSpan.FromSeconds(120));
        using var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(120) };
        server.ResetPeak();
        string frames = $"?ed={F.Subject.Info.EdFrame}&es={F.Subject.Info.EsFrame}";

        // Ten clients declare the 256 MiB upload limit, send 12 KB between them and stall; legitimate scans still go through.
        var stalled = await server.StallUploadsAsync(10, 256L << 20, 1200);
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var (statuses, _) = await ServerProcess.PostConcurrentlyAsync(client, F.ScanGz, frames, 1);
                Assert.AreEqual(HttpStatusCode.OK, statuses[0], $"legitimate request {i} beside the stalled uploads\n{server.Log}");
            }
        }
        finally
        {
            foreach (var tcp in stalled) tcp.Dispose();
        }

        // Six uploads at once, each a ~35 KB .nii.gz declaring the voxel limit: served or refused for memory, never a 500.
        byte[] maxVoxel = AttackFiles.DeclaringVoxels(256, 256, 16, maxVoxels / (256 * 256 * 16));
        var (burst, retryAfter) = await ServerProcess.PostConcurrentlyAsync(client, maxVoxel, "?ed=0&es=1", 6);
        Assert.IsTrue(burst.All(s => s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable), string.Join(", ", burst) + "\n" + server.Log);
        Assert.IsTrue(burst.Contains(HttpStatusCode.OK), $"at least one is served: {string.Join(", ", burst)}");
        Assert.IsTrue(retryAfter, "every 503 says when to retry");

        // Afterwards: healthy (once the refusals are older than the health window), nothing reserved, memory within budget + 20 %.
        HealthInfo? health = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            health = await client.GetFromJsonAsync<HealthInfo>(new Uri("/healthz", UriKind.Relative), Json);
            if (health!.Status == "ok" && health.MemoryReservedBytes == 0) break;
            await Task.Delay(500);
        }
        Assert.AreEqual("ok", health!.Status, string.Join(" | ", health.Reasons));
        Assert.AreEqual(0, health.MemoryReservedBytes);
        Assert.IsTrue(server.IsRunning);
        var (after, _) = await ServerProcess.PostConcurrentlyAsync(client, F.ScanGz, frames, 1);
        Assert.AreEqual(HttpStatusCode.OK, after[0]);
        long peak = server.PeakRssBytes;
        Console.WriteLine($"child server: budget {health.MemoryBudgetBytes >> 20} MiB, peak RSS {peak >> 20} MiB, burst {string.Join(", ", burst.Select(s => (int)s))}");
        Assert.IsLessThanOrEqualTo(health.MemoryBudgetBytes * 1.2, (double)peak, $"peak RSS {peak >> 20} MiB, budget {health.MemoryBudgetBytes >> 20} MiB");
    }
}
