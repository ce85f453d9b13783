using System.Diagnostics;

namespace MLCardiac.Tests.Imaging;

/// <summary>
/// Runs Python scripts that use nibabel (an independent NIfTI implementation) from the tests. Looks for an interpreter
/// that can <c>import nibabel, numpy</c>: $MLCARDIAC_PYTHON, /usr/bin/python3 (Debian's python3-nibabel), python3.
/// Without one, tests are inconclusive — or fail when CI=true, because CI must run them.
/// </summary>
internal static class NibabelPython
{
    private static readonly Lazy<string?> Interpreter = new(Find);

    /// <summary>Folder of the scripts copied next to the test assembly.</summary>
    public static string ScriptDirectory => Path.Combine(AppContext.BaseDirectory, "Imaging", "Scripts");

    /// <summary>The interpreter path, or null (with the reason in <paramref name="reason"/>).</summary>
    public static string? TryGetInterpreter(out string reason)
    {
        reason = "python3-nibabel not installed: no interpreter among $MLCARDIAC_PYTHON, /usr/bin/python3, python3 can import nibabel and numpy";
        return Interpreter.Value;
    }

    /// <summary>Marks the test inconclusive (or failed when CI=true) with <paramref name="reason"/>.</summary>
    public static void Skip(string reason)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"{reason} (CI=true: these tests must run)");
        }

        Assert.Inconclusive(reason);
    }

    /// <summary>Runs <paramref name="script"/> (a file in <see cref="ScriptDirectory"/>) with <paramref name="arguments"/>; throws with stderr when it fails.</summary>
    public static string RunScript(string interpreter, string script, IEnumerable<string> arguments, TimeSpan timeout)
    {
        (int code, string stdout, string stderr) = Run(interpreter, [Path.Combine(ScriptDirectory, script), .. arguments], timeout);
        if (code != 0)
        {
            throw new InvalidOperationException($"{script} exited with {code}:\n{stderr}\n{stdout}");
        }

        return stdout;
    }

    /// <summary>Runs the interpreter; returns exit code (-1 on timeout), stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string interpreter, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {interpreter}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, stdout.Result, stderr.Result + $"\n(timed out after {timeout.TotalSeconds} s)");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string? Find()
    {
        string?[] candidates = [Environment.GetEnvironmentVariable("MLCARDIAC_PYTHON"), "/usr/bin/python3", "python3"];
        foreach (string? candidate in candidates)
        {
            if (string.IsNullOrEmpty(candidate))
            {
                continue;
            }

            try
            {
                (int code, _, _) = Run(candidate, ["-c", "import nibabel, numpy"], TimeSpan.FromSeconds(30));
                if (code == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name: try the next one.
            }
        }

        return null;
    }
}
