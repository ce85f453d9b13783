using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using MLCardiac.Imaging;

namespace MLCardiac.Bench;

/// <summary>
/// <c>nifti</c>: reads a 256×256×12×25 int16 cine (.nii.gz and .nii) into float32 voxels with MLCardiac's NiftiReader,
/// nibabel (a Python subprocess timing itself in-process) and the floors (plain GZipStream decompression into a buffer;
/// plain file read for .nii), in interleaved rounds; prints median/min times, MB/s of float32 voxels and the ratios.
/// </summary>
internal static class NiftiReadBenchmark
{
    public static int Run(string[] args)
    {
        int rounds = 7;
        string dir = Path.Combine(FindRepoRoot(), "bench", "data");
        string? python = null;
        for (int a = 0; a < args.Length - 1; a += 2)
        {
            switch (args[a])
            {
                case "--rounds": rounds = int.Parse(args[a + 1], CultureInfo.InvariantCulture); break;
                case "--dir": dir = args[a + 1]; break;
                case "--python": python = args[a + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[a]}"); return 2;
            }
        }

        Directory.CreateDirectory(dir);
        string gz = Path.Combine(dir, "cine_256x256x12x25_int16.nii.gz");
        string nii = Path.Combine(dir, "cine_256x256x12x25_int16.nii");
        if (!File.Exists(gz) || !File.Exists(nii))
        {
            Console.WriteLine("generating the synthetic cine (seed 2024)...");
            Volume cine = SyntheticCine.Create(256, 256, 12, 25, 2024);
            NiftiWriter.Write(cine, gz, new NiftiWriteOptions { DataType = NiftiDataType.Int16, CompressionLevel = CompressionLevel.Optimal });
            NiftiWriter.Write(cine, nii, new NiftiWriteOptions { DataType = NiftiDataType.Int16 });
        }

        long voxels = 256L * 256 * 12 * 25;
        double floatMb = voxels * 4 / 1e6;
        Console.WriteLine($"input: {Path.GetFileName(gz)} {new FileInfo(gz).Length / 1e6:0.0} MB (ratio {new FileInfo(nii).Length / (double)new FileInfo(gz).Length:0.00}), .nii {new FileInfo(nii).Length / 1e6:0.0} MB; output {floatMb:0.0} MB float32");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, SIMD {System.Numerics.Vector<byte>.Count * 8}-bit, rounds {rounds}");

        // Peer first (its own rounds, in-process timings), then ours interleaved with the floors.
        PeerResult? peer = RunPeer(python, gz, nii, rounds);

        var times = new Dictionary<string, List<double>> { ["ours.gz"] = [], ["floor.gz"] = [], ["ours.nii"] = [], ["floor.nii"] = [] };
        byte[] buffer = new byte[new FileInfo(nii).Length];
        Check(NiftiReader.Read(gz), voxels); // warm-up (JIT), and a sanity check
        Check(NiftiReader.Read(nii), voxels);
        FloorGzip(gz, buffer);
        FloorFile(nii, buffer);
        for (int r = 0; r < rounds; r++)
        {
            times["ours.gz"].Add(Time(() => Check(NiftiReader.Read(gz), voxels)));
            times["floor.gz"].Add(Time(() => FloorGzip(gz, buffer)));
            times["ours.nii"].Add(Time(() => Check(NiftiReader.Read(nii), voxels)));
            times["floor.nii"].Add(Time(() => FloorFile(nii, buffer)));
        }

        Console.WriteLine();
        Console.WriteLine($"{"reader",-40} {"median ms",10} {"min ms",9} {"MB/s",8}");
        void Row(string label, IReadOnlyList<double> t) =>
            Console.WriteLine($"{label,-40} {Median(t) * 1e3,10:0.0} {t.Min() * 1e3,9:0.0} {floatMb / Median(t),8:0}");
        Row("MLCardiac NiftiReader .nii.gz", times["ours.gz"]);
        if (peer is not null)
        {
            Row($"nibabel {peer.Nibabel} .nii.gz", peer.Gz);
        }

        Row("floor: GZipStream → buffer", times["floor.gz"]);
        Row("MLCardiac NiftiReader .nii", times["ours.nii"]);
        if (peer is not null)
        {
            Row($"nibabel {peer.Nibabel} .nii", peer.Nii);
        }

        Row("floor: FileStream → buffer", times["floor.nii"]);
        Console.WriteLine();
        Console.WriteLine("time ratios (median; < 1 means MLCardiac is faster):");
        if (peer is not null)
        {
            Console.WriteLine($"  .nii.gz  MLCardiac/nibabel {Median(times["ours.gz"]) / Median(peer.Gz):0.00}");
            Console.WriteLine($"  .nii     MLCardiac/nibabel {Median(times["ours.nii"]) / Median(peer.Nii):0.00}");
        }

        Console.WriteLine($"  .nii.gz  MLCardiac/floor   {Median(times["ours.gz"]) / Median(times["floor.gz"]):0.00}  (goal ≤ 1.2)");
        Console.WriteLine($"  .nii     MLCardiac/floor   {Median(times["ours.nii"]) / Median(times["floor.nii"]):0.00}");
        return 0;
    }

    private static void Check(Volume volume, long voxels)
    {
        if (volume.Data.LongLength != voxels)
        {
            throw new InvalidOperationException("wrong voxel count");
        }
    }

    private static void FloorGzip(string path, byte[] buffer)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        gz.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
    }

    private static void FloorFile(string path, byte[] buffer)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record PeerResult(string Nibabel, double[] Gz, double[] Nii);

    private static PeerResult? RunPeer(string? python, string gz, string nii, int rounds)
    {
        string script = Path.Combine(FindRepoRoot(), "bench", "nifti_read_peer.py");
        string[] candidates = python is null ? ["/usr/bin/python3", "python3"] : [python];
        foreach (string candidate in candidates)
        {
            try
            {
                var info = new ProcessStartInfo(candidate) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (string a in new[] { script, gz, nii, rounds.ToString(CultureInfo.InvariantCulture) })
                {
                    info.ArgumentList.Add(a);
                }

                using Process process = Process.Start(info)!;
                Task<string> stderr = process.StandardError.ReadToEndAsync();
                string stdout = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    Console.WriteLine($"peer with {candidate} failed: {stderr.Result.Trim().Split('\n')[^1]}");
                    continue;
                }

                using JsonDocument doc = JsonDocument.Parse(stdout);
                JsonElement root = doc.RootElement;
                return new PeerResult(
                    root.GetProperty("nibabel").GetString()!,
                    root.GetProperty("gz").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
                    root.GetProperty("nii").EnumerateArray().Select(e => e.GetDouble()).ToArray());
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed under that name
            }
        }

        Console.WriteLine("nibabel peer not available: python3 with nibabel not found");
        return null;
    }

    private static string FindRepoRoot()
    {
        for (string? d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
        {
            if (File.Exists(Path.Combine(d, "MLCardiac.sln")))
            {
                return d;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
