using System.Diagnostics;

namespace MLCardiac.Tests.Support;

/// <summary>
/// A .NET tool as a child process — the <c>mlcardiac</c> CLI (<see cref="Start"/>: <c>dotnet MLCardiac.Cli.dll ARGS</c>, the
/// build beside the tests) or another assembly (<see cref="StartDll"/>: the store worker) — for tests that kill a worker with
/// SIGKILL: no cleanup, no release of its unit, its heartbeat stops.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout, _stderr;

    private CliProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Process id.</summary>
    public int Id => _process.Id;

    /// <summary>Starts <c>mlcardiac <paramref name="args"/></c>.</summary>
    public static CliProcess Start(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "MLCardiac.Cli.dll");
        Assert.IsTrue(File.Exists(dll), $"{dll} is missing: the test project references the CLI, build it");
        return StartDll(dll, args);
    }

    /// <summary>Starts <c>dotnet <paramref name="dll"/> <paramref name="args"/></c>.</summary>
    public static CliProcess StartDll(string dll, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        return new CliProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>Its standard output, once it has exited.</summary>
    public string StandardOutput => _stdout.Result;

    /// <summary>Waits for the process to exit; returns its exit code and output (stdout, then stderr).</summary>
    public (int Code, string Output) WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"process {Id} did not finish within {timeout}: {_stderr.Result}");
        }
        return (_process.ExitCode, _stdout.Result + _stderr.Result);
    }

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>kill -9.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
