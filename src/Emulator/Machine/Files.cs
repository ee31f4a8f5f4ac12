using System.Buffers.Binary;
using System.Text;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    internal const int ScreenWidth = 720;
    internal const int ScreenHeight = 400;

    /// <summary>
    /// Resolves a file a command writes to: only inside <c>--data-dir</c>, and not through a symbolic link
    /// that leads out of it. Anything else fails as QEMU's open() would in a sandbox.
    /// </summary>
    internal string ResolveOutputPath(string filename)
    {
        string denied = $"Could not open '{filename}': Permission denied";
        if (Vm.DataDir is null || filename.Length == 0 || filename.Contains('\0', StringComparison.Ordinal))
        {
            throw Generic(denied);
        }

        string full = Path.GetFullPath(filename, Vm.DataDir);

        // Every link on the way, the file's own included, is followed before the check.
        string root;
        string real;
        try
        {
            root = RealPath(Vm.DataDir);
            real = RealPath(full);
        }
        catch (IOException e)
        {
            throw Generic($"Could not open '{filename}': {e.Message}");
        }

        string parent = Path.GetDirectoryName(full) ?? throw Generic(denied);
        if (!Directory.Exists(parent))
        {
            throw Generic($"Could not open '{filename}': No such file or directory");
        }

        if (!IsInside(real, root) || Directory.Exists(real))
        {
            throw Generic(Directory.Exists(real) && IsInside(real, root) ? $"Could not open '{filename}': Is a directory" : denied);
        }

        return real;
    }

    private static bool IsInside(string path, string root) =>
        path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// The path with every symbolic link resolved, as realpath(3) does: walking from the root, a
    /// link's target replaces the walk so far and the walk starts over, so links inside link
    /// targets (a file link through a directory link) are followed too. A dangling final link
    /// resolves to where it points, which is where a write would land.
    /// </summary>
    private static string RealPath(string path, int depth = 0)
    {
        // Linux gives up after 40 links (ELOOP); so do we.
        if (depth > 40)
        {
            throw new IOException("Too many levels of symbolic links");
        }

        string full = Path.GetFullPath(path);
        string current = Path.GetPathRoot(full) ?? "/";
        string[] parts = full[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            string next = Path.Combine(current, parts[i]);
            string? link = new FileInfo(next).LinkTarget;
            if (link is not null)
            {
                string target = Path.IsPathRooted(link) ? link : Path.Combine(current, link);
                string rest = string.Join(Path.DirectorySeparatorChar, parts[(i + 1)..]);
                return RealPath(rest.Length == 0 ? target : Path.Combine(target, rest), depth + 1);
            }

            current = next;
        }

        return current;
    }

    private static void WriteFile(string path, Action<Stream> write)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        write(stream);
    }

    public override ValueTask ScreendumpAsync(ScreendumpArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            string path = ResolveOutputPath(arguments.Filename);
            byte[] pixels = RenderScreen();
            WriteFile(path, s =>
            {
                s.Write(Encoding.ASCII.GetBytes($"P6\n{ScreenWidth} {ScreenHeight}\n255\n"));
                s.Write(pixels);
            });
        }

        return Done();
    }

    /// <summary>The emulated VGA text screen: a blue console with a status line whose colour shows the run state.</summary>
    private byte[] RenderScreen()
    {
        var pixels = new byte[ScreenWidth * ScreenHeight * 3];
        (byte R, byte G, byte B) status = Vm.RunState switch
        {
            "running" => ((byte)0x00, (byte)0xaa, (byte)0x00),
            "paused" or "prelaunch" => ((byte)0xaa, (byte)0xaa, (byte)0x00),
            _ => ((byte)0xaa, (byte)0x00, (byte)0x00),
        };
        for (int y = 0; y < ScreenHeight; y++)
        {
            for (int x = 0; x < ScreenWidth; x++)
            {
                int i = ((y * ScreenWidth) + x) * 3;
                (byte r, byte g, byte b) = y >= ScreenHeight - 16 ? status : ((byte)0x00, (byte)0x00, (byte)0xaa);
                pixels[i] = r;
                pixels[i + 1] = g;
                pixels[i + 2] = b;
            }
        }

        return pixels;
    }

    public override ValueTask MemsaveAsync(MemsaveArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (arguments.Cpu is { } cpu && !Vm.OnlineCpus.Contains((int)Math.Clamp(cpu, int.MinValue, int.MaxValue)))
            {
                throw InvalidParameterValue("cpu-index", "a CPU number");
            }

            if (arguments.Val < 0 || arguments.Size < 0 || arguments.Val + arguments.Size > Vm.RamSize)
            {
                throw Generic($"Invalid addr 0x{arguments.Val:x16}/size {arguments.Size} specified");
            }

            string path = ResolveOutputPath(arguments.Filename);
            WriteMemory(path, arguments.Val, arguments.Size);
        }

        return Done();
    }

    public override ValueTask PmemsaveAsync(PmemsaveArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            string path = ResolveOutputPath(arguments.Filename);
            if (arguments.Size < 0)
            {
                throw InvalidParameterValue("size", "a positive size");
            }

            WriteMemory(path, arguments.Val, arguments.Size);
        }

        return Done();
    }

    private void WriteMemory(string path, long address, long size) =>
        WriteFile(path, s => CopyMemory(s, address, size));

    /// <summary>Writes guest RAM; addresses beyond it read as 0xff (unassigned memory).</summary>
    private void CopyMemory(Stream s, long address, long size)
    {
        var buffer = new byte[65536];
        for (long done = 0; done < size;)
        {
            int n = (int)Math.Min(buffer.Length, size - done);
            long at = address + done;
            VirtualMachine.FillMemory(at, buffer.AsSpan(0, n));
            if (at + n > Vm.RamSize)
            {
                int from = (int)Math.Clamp(Vm.RamSize - at, 0, n);
                buffer.AsSpan(from, n - from).Fill(0xff);
            }

            s.Write(buffer, 0, n);
            done += n;
        }
    }

    public override ValueTask DumpGuestMemoryAsync(DumpGuestMemoryArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (arguments.Begin is not null && arguments.End is null)
            {
                throw MissingParameter("length");
            }

            if (arguments.Begin is null && arguments.End is not null)
            {
                throw MissingParameter("begin");
            }

            string format = arguments.Format ?? "elf";
            if (format is not ("elf" or "kdump-zlib" or "kdump-lzo" or "kdump-snappy"))
            {
                throw InvalidParameter("format");
            }

            if (format != "elf" && (arguments.Paging || arguments.Begin is not null))
            {
                throw Generic("kdump-compressed format doesn't support paging or filter");
            }

            long begin = arguments.Begin ?? 0;
            long length = arguments.End ?? Vm.RamSize;
            if (begin < 0 || length <= 0 || begin + length > Vm.RamSize)
            {
                throw InvalidParameter(begin < 0 || begin >= Vm.RamSize ? "begin" : "length");
            }

            Stream output;
            if (arguments.Protocol.StartsWith("file:", StringComparison.Ordinal))
            {
                output = new FileStream(ResolveOutputPath(arguments.Protocol[5..]), FileMode.Create, FileAccess.Write);
            }
            else if (arguments.Protocol.StartsWith("fd:", StringComparison.Ordinal))
            {
                output = new FileStream(TakeNamedFd(session, arguments.Protocol[3..]), FileAccess.Write);
            }
            else
            {
                throw InvalidParameter("protocol");
            }

            using (output)
            {
                if (format == "elf")
                {
                    WriteElfCore(output, begin, length);
                }
                else
                {
                    // makedumpfile's flattened header signature, then the pages.
                    output.Write("KDUMP   "u8);
                    CopyMemory(output, begin, length);
                }
            }
        }

        return Done();
    }

    /// <summary>An x86_64 ELF core: header, a PT_NOTE with one NT_PRSTATUS per CPU, one PT_LOAD of the range.</summary>
    private void WriteElfCore(Stream s, long begin, long length)
    {
        const int ehdrSize = 64, phdrSize = 56, prstatusSize = 336;
        int cpus = Vm.OnlineCpus.Count;
        int noteSize = cpus * (12 + 8 + prstatusSize);
        long notesOffset = ehdrSize + (2 * phdrSize);
        long loadOffset = notesOffset + noteSize;
        var header = new byte[loadOffset];
        var h = header.AsSpan();
        "\x7f"u8.CopyTo(h);
        "ELF"u8.CopyTo(h[1..]);
        h[4] = 2; // ELFCLASS64
        h[5] = 1; // little endian
        h[6] = 1; // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(h[16..], 4); // ET_CORE
        BinaryPrimitives.WriteUInt16LittleEndian(h[18..], 62); // EM_X86_64
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(h[32..], ehdrSize); // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(h[52..], ehdrSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[54..], phdrSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[56..], 2);
        var note = h[ehdrSize..];
        BinaryPrimitives.WriteUInt32LittleEndian(note, 4); // PT_NOTE
        BinaryPrimitives.WriteUInt64LittleEndian(note[8..], (ulong)notesOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(note[32..], (ulong)noteSize);
        BinaryPrimitives.WriteUInt64LittleEndian(note[40..], (ulong)noteSize);
        var load = h[(ehdrSize + phdrSize)..];
        BinaryPrimitives.WriteUInt32LittleEndian(load, 1); // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(load[4..], 7);
        BinaryPrimitives.WriteUInt64LittleEndian(load[8..], (ulong)loadOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(load[16..], (ulong)begin);
        BinaryPrimitives.WriteUInt64LittleEndian(load[24..], (ulong)begin);
        BinaryPrimitives.WriteUInt64LittleEndian(load[32..], (ulong)length);
        BinaryPrimitives.WriteUInt64LittleEndian(load[40..], (ulong)length);
        int at = (int)notesOffset;
        foreach (int cpu in Vm.OnlineCpus)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(h[at..], 5); // namesz "CORE\0"
            BinaryPrimitives.WriteUInt32LittleEndian(h[(at + 4)..], prstatusSize);
            BinaryPrimitives.WriteUInt32LittleEndian(h[(at + 8)..], 1); // NT_PRSTATUS
            "CORE"u8.CopyTo(h[(at + 12)..]);
            BinaryPrimitives.WriteUInt32LittleEndian(h[(at + 20 + 32)..], (uint)(Environment.ProcessId + 1 + cpu)); // pr_pid
            at += 20 + prstatusSize;
        }

        s.Write(header);
        CopyMemory(s, begin, length);
    }

    public override ValueTask XenSaveDevicesStateAsync(XenSaveDevicesStateArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            string path = ResolveOutputPath(arguments.Filename);
            var sections = Vm.Devices.Select(d => d.Id ?? d.Driver).ToList();
            WriteFile(path, s =>
            {
                Span<byte> word = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(word, 0x5145564d); // QEMU_VM_FILE_MAGIC "QEVM"
                s.Write(word);
                BinaryPrimitives.WriteUInt32BigEndian(word, 3); // QEMU_VM_FILE_VERSION
                s.Write(word);
                uint id = 0;
                foreach (var name in sections)
                {
                    s.WriteByte(0x04); // QEMU_VM_SECTION_FULL
                    BinaryPrimitives.WriteUInt32BigEndian(word, id++);
                    s.Write(word);
                    byte[] idstr = Encoding.ASCII.GetBytes(name);
                    s.WriteByte((byte)Math.Min(255, idstr.Length));
                    s.Write(idstr, 0, Math.Min(255, idstr.Length));
                }

                s.WriteByte(0x00); // QEMU_VM_EOF
            });
        }

        return Done();
    }

    public override ValueTask XenSetGlobalDirtyLogAsync(XenSetGlobalDirtyLogArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            Vm.XenDirtyLog = arguments.Enable;
        }

        return Done();
    }
}
