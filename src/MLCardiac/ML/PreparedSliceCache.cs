using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MLCardiac.IO;
using MLCardiac.Preprocessing;

namespace MLCardiac.ML;

/// <summary>
/// The <c>Preprocess</c> stage's output kept for the next fit, trial or run that asks for the same row: normalised slices
/// and label slices of one case (subject × frame), in memory (most recently used first, within a byte budget) and on
/// disk (one file per case, written atomically), so the arms of a study, the trials of a search and reruns read and
/// preprocess each case once.
/// </summary>
/// <remarks>
/// <para>Key: the image and label files (full path, length and last-write time), the frames, the label translation and
/// the preprocessing settings, hashed with SHA-256 — a file rewritten, another frame or other settings is another key.
/// The content of a file is not hashed: reading it to hash it would cost what the cache saves; length + time is what
/// build tools trust too. Each file carries the SHA-256 of its payload, checked on read, and a damaged or foreign file
/// is a miss (and is replaced), never a silently wrong slice.</para>
/// <para>Default folder: <c>$MLCARDIAC_CACHE</c>, else <c>$XDG_CACHE_HOME/mlcardiac/prepared</c>, else
/// <c>~/.cache/mlcardiac/prepared</c>. About 0.7 MB per case of 10 slices at 128²; delete the folder to reclaim it.</para>
/// </remarks>
public sealed class PreparedSliceCache
{
    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "MLCPREP1"u8.ToArray();
    private readonly object _gate = new();
    private readonly LinkedList<(string Key, PreparedSlices Value)> _recent = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, PreparedSlices Value)>> _memory = new(StringComparer.Ordinal);
    private long _bytes, _hits, _misses;

    /// <summary>A cache in <paramref name="directory"/> (null: memory only) holding at most <paramref name="memoryBytes"/> in memory.</summary>
    public PreparedSliceCache(string? directory, long memoryBytes = 1L << 30)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(memoryBytes);
        Directory = directory is null ? null : Path.GetFullPath(directory);
        MemoryBytes = memoryBytes;
    }

    /// <summary>The folder of the cache files, or null for a memory-only cache.</summary>
    public string? Directory { get; }

    /// <summary>The memory budget in bytes.</summary>
    public long MemoryBytes { get; }

    /// <summary>Look-ups answered from memory or disk.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Look-ups that had to read and preprocess the files.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The default folder (see the remarks).</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("MLCARDIAC_CACHE") is { Length: > 0 } own ? own
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "mlcardiac", "prepared");

    /// <summary>
    /// The key of one row, or null when the row has no image file on disk (a volume handed over in memory is not cached).
    /// </summary>
    public static string? Key(string imagePath, int imageFrame, string labelPath, int labelFrame, ReadOnlySpan<byte> labelMap, PreprocessingOptions preprocessing)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        if (string.IsNullOrEmpty(imagePath)) return null;
        var image = new FileInfo(imagePath);
        if (!image.Exists) return null;
        var text = new StringBuilder();
        text.Append(FormatVersion).Append('|').Append(Stamp(image)).Append('|').Append(imageFrame);
        if (labelPath.Length > 0)
        {
            var label = new FileInfo(labelPath);
            if (!label.Exists) return null;
            text.Append('|').Append(Stamp(label)).Append('|').Append(labelFrame).Append('|').Append(Convert.ToHexString(labelMap));
        }
        text.Append('|').Append(JsonSerializer.Serialize(preprocessing));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));

        static string Stamp(FileInfo f) => $"{f.FullName}|{f.Length}|{f.LastWriteTimeUtc.Ticks}";
    }

    /// <summary>The entry of <paramref name="key"/>, from memory or disk; false when there is none (or it is damaged).</summary>
    public bool TryGet(string key, out PreparedSlices value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_gate)
        {
            if (_memory.TryGetValue(key, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                value = node.Value.Value;
                Interlocked.Increment(ref _hits);
                return true;
            }
        }
        if (Directory is not null && ReadFile(PathOf(key)) is { } fromDisk)
        {
            Remember(key, fromDisk);
            Interlocked.Increment(ref _hits);
            value = fromDisk;
            return true;
        }
        Interlocked.Increment(ref _misses);
        value = null!;
        return false;
    }

    /// <summary>Keeps <paramref name="value"/> under <paramref name="key"/> in memory and (atomically) on disk.</summary>
    public void Put(string key, PreparedSlices value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        Remember(key, value);
        if (Directory is null) return;
        string path = PathOf(key);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, s => WriteFile(s, value));
    }

    private string PathOf(string key) => Path.Combine(Directory!, key[..2], key + ".slices");

    private void Remember(string key, PreparedSlices value)
    {
        long size = value.Bytes;
        if (size > MemoryBytes) return;
        lock (_gate)
        {
            if (_memory.ContainsKey(key)) return;
            _memory[key] = _recent.AddFirst((key, value));
            _bytes += size;
            while (_bytes > MemoryBytes && _recent.Last is { } last)
            {
                _recent.RemoveLast();
                _memory.Remove(last.Value.Key);
                _bytes -= last.Value.Value.Bytes;
            }
        }
    }

    private static void WriteFile(Stream stream, PreparedSlices v)
    {
        byte[] payload = Payload(v);
        stream.Write(Magic);
        stream.Write(SHA256.HashData(payload));
        stream.Write(payload);
    }

    private static byte[] Payload(PreparedSlices v)
    {
        var header = new byte[4 * 8];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(0), v.Shape[0]);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), v.Shape[1]);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), v.Shape[2]);
        BinaryPrimitives.WriteSingleLittleEndian(header.AsSpan(12), v.SpacingMm[0]);
        BinaryPrimitives.WriteSingleLittleEndian(header.AsSpan(16), v.SpacingMm[1]);
        BinaryPrimitives.WriteSingleLittleEndian(header.AsSpan(20), v.SpacingMm[2]);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), v.Slices.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(28), v.LabelSlices.Length);
        byte[] floats = MemoryMarshal.AsBytes(v.Slices.AsSpan()).ToArray();
        return [.. header, .. floats, .. v.LabelSlices];
    }

    private static PreparedSlices? ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(path)) return null;
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return null;
        }
        int start = Magic.Length + 32;
        if (bytes.Length < start + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            || !SHA256.HashData(bytes.AsSpan(start)).AsSpan().SequenceEqual(bytes.AsSpan(Magic.Length, 32)))
            return null;
        ReadOnlySpan<byte> p = bytes.AsSpan(start);
        int[] shape = [BinaryPrimitives.ReadInt32LittleEndian(p), BinaryPrimitives.ReadInt32LittleEndian(p[4..]), BinaryPrimitives.ReadInt32LittleEndian(p[8..])];
        float[] spacing = [BinaryPrimitives.ReadSingleLittleEndian(p[12..]), BinaryPrimitives.ReadSingleLittleEndian(p[16..]), BinaryPrimitives.ReadSingleLittleEndian(p[20..])];
        int floats = BinaryPrimitives.ReadInt32LittleEndian(p[24..]), labels = BinaryPrimitives.ReadInt32LittleEndian(p[28..]);
        if (floats < 0 || labels < 0 || 32L + 4L * floats + labels != p.Length) return null;
        float[] slices = MemoryMarshal.Cast<byte, float>(p.Slice(32, 4 * floats)).ToArray();
        byte[] labelSlices = p.Slice(32 + 4 * floats, labels).ToArray();
        return new PreparedSlices(slices, labelSlices, shape, spacing);
    }
}

/// <summary>One row's prepared slices: normalised slices and label slices [Z, size, size] and the image's own grid.</summary>
/// <param name="Slices">Normalised slices [Z, size, size].</param>
/// <param name="LabelSlices">Label slices [Z, size, size]; empty for an unlabeled row.</param>
/// <param name="Shape">The image frame's shape (X, Y, Z).</param>
/// <param name="SpacingMm">The image's spacing in mm (X, Y, Z).</param>
public sealed record PreparedSlices(float[] Slices, byte[] LabelSlices, int[] Shape, float[] SpacingMm)
{
    /// <summary>Memory held, in bytes.</summary>
    public long Bytes => 4L * Slices.Length + LabelSlices.Length + 64;
}
