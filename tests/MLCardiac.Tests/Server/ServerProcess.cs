using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using MLCardiac.Server;

namespace MLCardiac.Tests.Server;

/// <summary>
/// The service as a child process (<c>dotnet MLCardiac.Server.dll</c>) on a loopback port, optionally under a .NET heap
/// hard limit, with its resident memory read from /proc; and the attacks the load tests and <c>bench attack</c> run on it.
/// Disposing kills the process.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>Base address (http://127.0.0.1:PORT).</summary>
    public Uri Address { get; private set; }

    /// <summary>Process id.</summary>
    public int Id => _process.Id;

    /// <summary>What the server printed so far.</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>
    /// Starts <paramref name="serverDll"/> with <c>--model <paramref name="modelDirectory"/> --urls http://127.0.0.1:0</c> and
    /// <paramref name="arguments"/>; <paramref name="heapHardLimitBytes"/> (when given) becomes DOTNET_GCHeapHardLimit.
    /// Returns once the server says where it listens.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string serverDll, string modelDirectory, IEnumerable<string> arguments, long? heapHardLimitBytes, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { serverDll, "--model", modelDirectory, "--urls", "http://127.0.0.1:0" }.Concat(arguments)) info.ArgumentList.Add(a);
        if (heapHardLimitBytes is long limit) info.Environment["DOTNET_GCHeapHardLimit"] = limit.ToString("x", CultureInfo.InvariantCulture);
        info.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var started = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new ServerProcess(process, new Uri("http://127.0.0.1/"));
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (server._log) server._log.AppendLine(line);
            if (Listening().Match(line) is { Success: true } m) started.TrySetResult(new Uri(m.Groups[1].Value));
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => started.TrySetException(new InvalidOperationException($"the server exited ({process.ExitCode}): {server.Log}"));
        try
        {
            server.Address = await started.Task.WaitAsync(timeout).ConfigureAwait(false);
            return server;
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    [GeneratedRegex(@"serving \S+ on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    /// <summary>Resident memory now, bytes (VmRSS).</summary>
    public long RssBytes => Status("VmRSS");

    /// <summary>Peak resident memory since start or <see cref="ResetPeak"/>, bytes (VmHWM).</summary>
    public long PeakRssBytes => Status("VmHWM");

    /// <summary>Resets the peak resident memory to the current one (Linux clear_refs 5).</summary>
    public void ResetPeak()
    {
        if (!ProcessMemory.ResetPeak(Id)) throw new InvalidOperationException($"cannot reset the peak of process {Id} (/proc/{Id}/clear_refs)");
    }

    private long Status(string key) =>
        ProcessMemory.Status(Id, key) ?? throw new InvalidOperationException($"no {key} in /proc/{Id}/status");

    /// <summary>Whether the process is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>
    /// Opens <paramref name="count"/> connections that each declare an upload of <paramref name="declaredBytes"/>, send
    /// <paramref name="sendBytes"/> of it and stall — or, with <paramref name="trickleBytesPerSecond"/>, go on sending
    /// that many bytes each second until the server drops them or the caller disposes the clients.
    /// </summary>
    public async Task<List<TcpClient>> StallUploadsAsync(int count, long declaredBytes, int sendBytes, int trickleBytesPerSecond = 0)
    {
        var clients = new List<TcpClient>();
        for (int i = 0; i < count; i++)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(Address.Host, Address.Port).ConfigureAwait(false);
            string head = $"POST /api/segment HTTP/1.1\r\nHost: {Address.Authority}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: {declaredBytes}\r\n\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.nii.gz\"\r\n\r\n";
            byte[] bytes = Encoding.ASCII.GetBytes(head);
            await tcp.GetStream().WriteAsync(bytes.Concat(new byte[Math.Max(0, sendBytes - bytes.Length)]).ToArray()).ConfigureAwait(false);
            clients.Add(tcp);
            if (trickleBytesPerSecond > 0)
                _ = Task.Run(async () =>
                {
                    try
                    {
                        while (true)
                        {
                            await Task.Delay(1000).ConfigureAwait(false);
                            await tcp.GetStream().WriteAsync(new byte[trickleBytesPerSecond]).ConfigureAwait(false);
                        }
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or SocketException)
                    {
                        // Dropped by the server, or closed by the caller.
                    }
                });
        }
        return clients;
    }

    /// <summary>Posts <paramref name="file"/> <paramref name="count"/> times at once; the status of each, and whether every 503 carried Retry-After.</summary>
    public static async Task<(HttpStatusCode[] Statuses, bool RetryAfterOnEvery503)> PostConcurrentlyAsync(HttpClient client, byte[] file, string query, int count)
    {
        ArgumentNullException.ThrowIfNull(client);
        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, count).Select(_ =>
        {
            var form = new MultipartFormDataContent();
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "file", "scan.nii.gz");
            return client.PostAsync(new Uri("/api/segment" + query, UriKind.Relative), form);
        })).ConfigureAwait(false);
        bool retryAfter = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).All(r => r.Headers.RetryAfter is not null);
        foreach (var r in responses) r.Dispose();
        return (responses.Select(r => r.StatusCode).ToArray(), retryAfter);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }
}
