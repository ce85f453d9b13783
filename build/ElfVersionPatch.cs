// Build-time fix so that TorchSharp's native glue loads on hosts with an older libstdc++.
//
// TorchSharp 0.107's libLibTorchSharp.so was linked against GCC 13's libstdc++ and therefore lists
// GLIBCXX_3.4.32 among the versions it needs from libstdc++.so.6 (in .gnu.version_r). The only symbol
// carrying that version, _ZSt21ios_base_library_initv, is never the target of a relocation: nothing
// binds it, so the requirement is vestigial. glibc's loader still refuses the library on hosts whose
// libstdc++ lacks the version (Debian 12, Ubuntu 22.04: "version `GLIBCXX_3.4.32' not found").
//
// The loader treats a version need whose vna_flags has VER_FLG_WEAK as optional. This file marks
// exactly those needs weak that (a) the host's libstdc++ does not define and (b) no dynamic
// relocation of the library binds; it never weakens a version a relocation uses (that would only
// move the failure to a missing-symbol crash), and it reports such versions instead.
//
// It is compiled twice: by MSBuild's RoslynCodeTaskFactory as the task used in
// Directory.Build.targets (on the copy in a project's output folder, never the NuGet cache), and by
// the test project (with MLCARDIAC_TESTS defined, which leaves out the MSBuild task class).
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace MLCardiac.Build
{
    /// <summary>Outcome of <see cref="ElfVersionPatcher.WeakenUnboundVersions"/> for one file.</summary>
    public sealed class ElfPatchResult
    {
        /// <summary>Versions whose requirement was marked weak by this call.</summary>
        public List<string> Weakened { get; } = new List<string>();
        /// <summary>Missing versions that were already weak (an earlier run, or the linker).</summary>
        public List<string> AlreadyWeak { get; } = new List<string>();
        /// <summary>Missing versions that a relocation binds: cannot be fixed by weakening.</summary>
        public List<string> BoundAndMissing { get; } = new List<string>();
    }

    /// <summary>One entry of an ELF object's version-needs table (.gnu.version_r).</summary>
    public sealed class ElfVersionNeed
    {
        /// <summary>The needed library, e.g. <c>libstdc++.so.6</c>.</summary>
        public string File { get; set; } = "";
        /// <summary>The version name, e.g. <c>GLIBCXX_3.4.32</c>.</summary>
        public string Version { get; set; } = "";
        /// <summary>The version index that .gnu.version uses for symbols of this version.</summary>
        public int Index { get; set; }
        /// <summary>True when VER_FLG_WEAK is set.</summary>
        public bool Weak { get; set; }
        /// <summary>True when at least one dynamic relocation refers to a symbol of this version.</summary>
        public bool Bound { get; set; }
        /// <summary>File offset of the vna_flags field.</summary>
        internal long FlagsOffset { get; set; }
    }

    /// <summary>Reads ELF64 little-endian version tables and weakens unbound version needs.</summary>
    public static class ElfVersionPatcher
    {
        private const uint ShtRela = 4, ShtRel = 9, ShtDynsym = 11;
        private const uint ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;
        private const ushort VerFlgWeak = 0x2;
        private static readonly char[] PathSeparator = { ':' };
        private static readonly string[] SystemLibraryDirs =
        {
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/usr/lib64", "/lib64", "/usr/local/lib64", "/usr/local/lib", "/usr/lib", "/lib",
        };

        private struct Section
        {
            public uint Type;
            public long Offset;
            public long Size;
            public uint Link;
            public uint Info;
            public long EntSize;
        }

        /// <summary>The version names a shared library defines (.gnu.version_d), e.g. all GLIBCXX_* of a libstdc++.</summary>
        public static HashSet<string> ReadDefinedVersions(string path)
        {
            byte[] elf = File.ReadAllBytes(path);
            Section[] sections = ReadSections(elf, path);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (Section s in sections.Where(x => x.Type == ShtGnuVerdef))
            {
                Section strtab = sections[s.Link];
                long entry = s.Offset;
                for (uint i = 0; i < s.Info; i++)
                {
                    ushort cnt = U16(elf, entry + 6, path);
                    uint aux = U32(elf, entry + 12, path);
                    uint next = U32(elf, entry + 16, path);
                    long a = entry + aux;
                    for (int j = 0; j < cnt; j++)
                    {
                        names.Add(CString(elf, strtab.Offset + U32(elf, a, path), path));
                        a += U32(elf, a + 4, path);
                        if (j == 0) break; // later aux entries name the parents, not this definition
                    }
                    if (next == 0) break;
                    entry += next;
                }
            }
            return names;
        }

        /// <summary>Lists the version needs of an ELF file, with whether a relocation binds each.</summary>
        public static List<ElfVersionNeed> ReadVersionNeeds(string path) => ReadVersionNeeds(File.ReadAllBytes(path), path);

        private static List<ElfVersionNeed> ReadVersionNeeds(byte[] elf, string path)
        {
            Section[] sections = ReadSections(elf, path);
            var needs = new List<ElfVersionNeed>();
            foreach (Section s in sections.Where(x => x.Type == ShtGnuVerneed))
            {
                Section strtab = sections[s.Link];
                long entry = s.Offset;
                for (uint i = 0; i < s.Info; i++)
                {
                    ushort cnt = U16(elf, entry + 2, path);
                    string file = CString(elf, strtab.Offset + U32(elf, entry + 4, path), path);
                    uint aux = U32(elf, entry + 8, path);
                    uint next = U32(elf, entry + 12, path);
                    long a = entry + aux;
                    for (int j = 0; j < cnt; j++)
                    {
                        needs.Add(new ElfVersionNeed
                        {
                            File = file,
                            Weak = (U16(elf, a + 4, path) & VerFlgWeak) != 0,
                            Index = U16(elf, a + 6, path) & 0x7fff,
                            Version = CString(elf, strtab.Offset + U32(elf, a + 8, path), path),
                            FlagsOffset = a + 4,
                        });
                        uint anext = U32(elf, a + 12, path);
                        if (anext == 0) break;
                        a += anext;
                    }
                    if (next == 0) break;
                    entry += next;
                }
            }

            HashSet<int> bound = BoundVersionIndices(elf, sections, path);
            foreach (ElfVersionNeed n in needs) n.Bound = bound.Contains(n.Index);
            return needs;
        }

        /// <summary>
        /// Marks weak every version need on <paramref name="library"/> (e.g. <c>libstdc++.so.6</c>) that
        /// <paramref name="hostVersions"/> lacks and that no relocation binds. Idempotent; writes the file
        /// (through a temporary file and a rename) only when something changes.
        /// </summary>
        public static ElfPatchResult WeakenUnboundVersions(string path, string library, ISet<string> hostVersions)
        {
            byte[] elf = File.ReadAllBytes(path);
            var result = new ElfPatchResult();
            foreach (ElfVersionNeed need in ReadVersionNeeds(elf, path))
            {
                if (!string.Equals(need.File, library, StringComparison.Ordinal) || hostVersions.Contains(need.Version)) continue;
                if (need.Bound) { result.BoundAndMissing.Add(need.Version); continue; }
                if (need.Weak) { result.AlreadyWeak.Add(need.Version); continue; }
                ushort flags = U16(elf, need.FlagsOffset, path);
                flags |= VerFlgWeak;
                elf[need.FlagsOffset] = (byte)flags;
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                result.Weakened.Add(need.Version);
            }
            if (result.Weakened.Count > 0)
            {
                string tmp = path + ".weak-tmp";
                File.WriteAllBytes(tmp, elf);
                File.Replace(tmp, path, null); // rename over the original (netstandard has no Move(overwrite))
            }
            return result;
        }

        /// <summary>
        /// Finds the libstdc++.so.6 the dynamic loader would use: LD_LIBRARY_PATH first, then the usual
        /// system directories. Returns null where there is none (not Linux, or a static toolchain).
        /// </summary>
        public static string? FindHostLibStdCxx()
        {
            var dirs = new List<string>();
            string? ld = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
            if (!string.IsNullOrEmpty(ld)) dirs.AddRange(ld!.Split(PathSeparator, StringSplitOptions.RemoveEmptyEntries));
            dirs.AddRange(SystemLibraryDirs);
            foreach (string d in dirs)
            {
                string p = Path.Combine(d, "libstdc++.so.6");
                if (File.Exists(p)) return p;
            }
            return null;
        }

        private static HashSet<int> BoundVersionIndices(byte[] elf, Section[] sections, string path)
        {
            var bound = new HashSet<int>();
            for (int i = 0; i < sections.Length; i++)
            {
                Section rel = sections[i];
                if (rel.Type != ShtRela && rel.Type != ShtRel) continue;
                if (rel.Link >= sections.Length || sections[rel.Link].Type != ShtDynsym) continue;
                Section versym = sections.FirstOrDefault(x => x.Type == ShtGnuVersym);
                if (versym.Type == 0) continue;
                long entSize = rel.EntSize != 0 ? rel.EntSize : (rel.Type == ShtRela ? 24 : 16);
                for (long off = rel.Offset; off + entSize <= rel.Offset + rel.Size; off += entSize)
                {
                    ulong info = U64(elf, off + 8, path);
                    long sym = (long)(info >> 32);
                    if (sym == 0) continue;
                    bound.Add(U16(elf, versym.Offset + 2 * sym, path) & 0x7fff);
                }
            }
            return bound;
        }

        private static Section[] ReadSections(byte[] elf, string path)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException($"{path}: not an ELF file.");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException($"{path}: only 64-bit little-endian ELF files are supported.");
            long shoff = (long)U64(elf, 0x28, path);
            int shentsize = U16(elf, 0x3A, path);
            int shnum = U16(elf, 0x3C, path);
            if (shentsize < 64) throw new InvalidDataException($"{path}: bad section header size {shentsize}.");
            var sections = new Section[shnum];
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                sections[i] = new Section
                {
                    Type = U32(elf, h + 4, path),
                    Offset = (long)U64(elf, h + 24, path),
                    Size = (long)U64(elf, h + 32, path),
                    Link = U32(elf, h + 40, path),
                    Info = U32(elf, h + 44, path),
                    EntSize = (long)U64(elf, h + 56, path),
                };
                if (sections[i].Link >= shnum && (sections[i].Type == ShtGnuVerneed || sections[i].Type == ShtGnuVerdef))
                    throw new InvalidDataException($"{path}: section {i} links to a missing string table.");
            }
            return sections;
        }

        private static void Check(byte[] b, long at, int n, string path)
        {
            if (at < 0 || at + n > b.Length) throw new InvalidDataException($"{path}: truncated ELF (offset {at}).");
        }

        private static ushort U16(byte[] b, long at, string path) { Check(b, at, 2, path); return (ushort)(b[at] | b[at + 1] << 8); }
        private static uint U32(byte[] b, long at, string path) { Check(b, at, 4, path); return BitConverter.ToUInt32(b, (int)at); }
        private static ulong U64(byte[] b, long at, string path) { Check(b, at, 8, path); return BitConverter.ToUInt64(b, (int)at); }

        private static string CString(byte[] b, long at, string path)
        {
            Check(b, at, 1, path);
            long end = at;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
        }
    }

#if !MLCARDIAC_TESTS
    /// <summary>
    /// MSBuild task: for each given copy of libLibTorchSharp.so, weakens the libstdc++ version needs that
    /// the host's libstdc++ lacks and no relocation binds. Does nothing where the host has them all.
    /// </summary>
    public sealed class WeakenMissingLibStdCxxVersions : Microsoft.Build.Utilities.Task
    {
        /// <summary>The ELF files to patch (copies in an output folder, never a package cache).</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <inheritdoc />
        public override bool Execute()
        {
            string? host = ElfVersionPatcher.FindHostLibStdCxx();
            if (host == null)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "No host libstdc++.so.6 found; libLibTorchSharp.so left as shipped.");
                return true;
            }
            HashSet<string> hostVersions = ElfVersionPatcher.ReadDefinedVersions(host);
            foreach (var item in Files)
            {
                string file = item.ItemSpec;
                string full = Path.GetFullPath(file);
                if (full.Contains(Path.DirectorySeparatorChar + ".nuget" + Path.DirectorySeparatorChar))
                {
                    Log.LogError($"{file}: refusing to patch a file inside a NuGet package cache.");
                    return false;
                }
                ElfPatchResult r = ElfVersionPatcher.WeakenUnboundVersions(file, "libstdc++.so.6", hostVersions);
                if (r.Weakened.Count > 0)
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        $"MLCardiac: {file}: marked unbound libstdc++ version need(s) {string.Join(", ", r.Weakened)} weak (host {host} lacks them).");
                if (r.BoundAndMissing.Count > 0)
                    Log.LogWarning($"{file} needs {string.Join(", ", r.BoundAndMissing)} from libstdc++, which {host} lacks and which a relocation binds: TorchSharp will not load. Install a newer libstdc++ (GCC 13 or later).");
            }
            return true;
        }
    }
#endif
}
