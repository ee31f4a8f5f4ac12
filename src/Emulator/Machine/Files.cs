using System.Buffers.Binary;
using System.Text;
using Qmp.Emulator.Confinement;
using Qmp.Emulator.Qemu;
using Qmp.Runtime;

namespace Qmp.Emulator;

public sealed partial class QemuMachine
{
    internal const int ScreenWidth = 720;
    internal const int ScreenHeight = 400;

    /// <summary>Cancelled when the machine is disposed (shutdown): stops writes under way.</summary>
    private readonly CancellationTokenSource _shutdown = new();

    /// <summary>QEMU's open() error for a name the data dir refuses or cannot create; the client's name only, never the data dir's path.</summary>
    private static QmpException OpenError(string filename, string reason) => Generic($"Could not open '{filename}': {reason}");

    /// <summary>
    /// QEMU's <c>Could not VERB 'NAME': REASON</c> for a file a client named that could not be opened, read
    /// or written (both personas): a refusal's reason or the errno's words, never .NET's text nor a host path.
    /// </summary>
    internal static QmpException FileError(string verb, string filename, IOException e) =>
        Generic($"Could not {verb} '{filename}': {(e is ConfinementException refused ? refused.Reason : WriteFailure(e))}");

    /// <summary>A fresh file in the data dir (see <see cref="DataDirectory.Create"/>), or QEMU's open() error.</summary>
    private DataDirectory.NewFile CreateFile(string filename)
    {
        if (Vm.Files is not { } files)
        {
            throw OpenError(filename, "Permission denied");
        }

        try
        {
            return files.Create(filename);
        }
        catch (ConfinementException e)
        {
            throw OpenError(filename, e.Reason);
        }
    }

    /// <summary>
    /// Writes a new file outside the machine lock, on a pool thread, in chunks that check for the
    /// client leaving and for shutdown; the file appears under its name only when complete.
    /// </summary>
    private async ValueTask WriteNewFileAsync(string filename, DataDirectory.NewFile? created, Action<Action<ReadOnlySpan<byte>>, CancellationToken> write, CancellationToken cancellationToken)
    {
        using var file = created ?? CreateFile(filename);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        var token = cancel.Token;
        await Task.Run(
            () =>
            {
                try
                {
                    write(bytes => file.Write(bytes), token);
                    file.Commit();
                }
                catch (ConfinementException e)
                {
                    throw OpenError(filename, e.Reason);
                }
                catch (IOException e)
                {
                    throw Generic($"Could not write '{filename}': {WriteFailure(e)}");
                }
            },
            token).ConfigureAwait(false);
    }

    /// <summary>strerror's words for a failed write (.NET keeps errno in HResult on Unix), never its message (it may name paths).</summary>
    private static string WriteFailure(IOException e) =>
        e.HResult is > 0 and < 4096 ? Interop.Describe(e.HResult) : "Input/output error";

    /// <summary>Writes <paramref name="bytes"/> in chunks, checking <paramref name="cancellationToken"/> between them.</summary>
    private static void WriteChunked(Action<ReadOnlySpan<byte>> sink, ReadOnlySpan<byte> bytes, CancellationToken cancellationToken)
    {
        for (var at = 0; at < bytes.Length; at += EmulatorLimits.WriteChunkBytes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            sink(bytes.Slice(at, Math.Min(EmulatorLimits.WriteChunkBytes, bytes.Length - at)));
        }
    }

    /// <summary>The cap on one command's output, as an error naming the argument.</summary>
    private static void CheckWriteSize(string argument, long size)
    {
        if (size > EmulatorLimits.MaxWriteBytes)
        {
            throw InvalidParameterValue(argument, $"at most {EmulatorLimits.MaxWriteBytes} bytes");
        }
    }

    public override async ValueTask ScreendumpAsync(ScreendumpArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        byte[] pixels;
        lock (Gate)
        {
            pixels = RenderScreen();
        }

        await WriteNewFileAsync(arguments.Filename, null, (sink, token) =>
        {
            sink(Encoding.ASCII.GetBytes($"P6\n{ScreenWidth} {ScreenHeight}\n255\n"));
            WriteChunked(sink, pixels, token);
        }, cancellationToken).ConfigureAwait(false);
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
        for (var y = 0; y < ScreenHeight; y++)
        {
            for (var x = 0; x < ScreenWidth; x++)
            {
                var i = ((y * ScreenWidth) + x) * 3;
                (var r, var g, var b) = y >= ScreenHeight - 16 ? status : ((byte)0x00, (byte)0x00, (byte)0xaa);
                pixels[i] = r;
                pixels[i + 1] = g;
                pixels[i + 2] = b;
            }
        }

        return pixels;
    }

    public override async ValueTask MemsaveAsync(MemsaveArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        long ram;
        lock (Gate)
        {
            if (arguments.Cpu is { } cpu && !Vm.OnlineCpus.Contains((int)Math.Clamp(cpu, int.MinValue, int.MaxValue)))
            {
                throw InvalidParameterValue("cpu-index", "a CPU number");
            }

            // Compared, never added: val + size can wrap.
            ram = Vm.RamSize;
            if (arguments.Val < 0 || arguments.Size < 0 || arguments.Size > ram || arguments.Val > ram - arguments.Size)
            {
                throw Generic($"Invalid addr 0x{arguments.Val:x16}/size {arguments.Size} specified");
            }
        }

        CheckWriteSize("size", arguments.Size);
        await WriteNewFileAsync(arguments.Filename, null, (sink, token) => CopyMemory(sink, ram, arguments.Val, arguments.Size, token), cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask PmemsaveAsync(PmemsaveArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        // QEMU opens the file first, then reads memory: a bad name is the first error.
        var file = CreateFile(arguments.Filename);
        long ram;
        try
        {
            if (arguments.Size < 0)
            {
                throw InvalidParameterValue("size", "a positive size");
            }

            CheckWriteSize("size", arguments.Size);
            lock (Gate)
            {
                ram = Vm.RamSize;
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }

        await WriteNewFileAsync(arguments.Filename, file, (sink, token) => CopyMemory(sink, ram, arguments.Val, arguments.Size, token), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes guest RAM in chunks, checking <paramref name="cancellationToken"/> between them.</summary>
    private static void CopyMemory(Action<ReadOnlySpan<byte>> sink, long ramSize, long address, long size, CancellationToken cancellationToken)
    {
        foreach (var chunk in MemoryChunks(ramSize, address, size))
        {
            cancellationToken.ThrowIfCancellationRequested();
            sink(chunk.Span);
        }
    }

    /// <summary>
    /// Guest RAM in chunks of at most <see cref="EmulatorLimits.WriteChunkBytes"/>, each valid until the next
    /// is asked for; addresses beyond RAM (or wrapping past 2^63) read as 0xff (unassigned memory).
    /// </summary>
    private static IEnumerable<ReadOnlyMemory<byte>> MemoryChunks(long ramSize, long address, long size)
    {
        var buffer = new byte[Math.Min(EmulatorLimits.WriteChunkBytes, Math.Max(size, 1))];
        for (long done = 0; done < size;)
        {
            var n = (int)Math.Min(buffer.Length, size - done);
            var at = unchecked(address + done);
            var chunk = buffer.AsMemory(0, n);
            VirtualMachine.FillMemory(at, chunk.Span);
            var inRam = at >= 0 && at < ramSize ? Math.Min(n, ramSize - at) : 0;
            chunk.Span[(int)inRam..].Fill(0xff);
            yield return chunk;
            done += n;
        }
    }

    public override async ValueTask DumpGuestMemoryAsync(DumpGuestMemoryArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        long begin, length, ram;
        string format;
        byte[]? elfHeader = null;
        Microsoft.Win32.SafeHandles.SafeFileHandle? fd = null;
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

            format = arguments.Format ?? "elf";
            if (format is not ("elf" or "kdump-zlib" or "kdump-lzo" or "kdump-snappy"))
            {
                throw InvalidParameter("format");
            }

            if (format != "elf" && (arguments.Paging || arguments.Begin is not null))
            {
                throw Generic("kdump-compressed format doesn't support paging or filter");
            }

            ram = Vm.RamSize;
            begin = arguments.Begin ?? 0;
            length = arguments.End ?? ram;

            // Compared, never added: begin + length can wrap. As QEMU, a range running past RAM is cut at its end.
            if (begin < 0 || begin >= ram || length <= 0)
            {
                throw InvalidParameter(begin < 0 || begin >= ram ? "begin" : "length");
            }

            length = Math.Min(length, ram - begin);

            CheckWriteSize("length", length);
            if (!arguments.Protocol.StartsWith("file:", StringComparison.Ordinal) && !arguments.Protocol.StartsWith("fd:", StringComparison.Ordinal))
            {
                throw InvalidParameter("protocol");
            }

            if (format == "elf")
            {
                elfHeader = ElfCoreHeader(begin, length);
            }

            if (arguments.Protocol.StartsWith("fd:", StringComparison.Ordinal))
            {
                fd = TakeBusyFd(session, arguments.Protocol[3..]);
            }
        }

        // The ELF header, or makedumpfile's flattened header signature; then the pages.
        IEnumerable<ReadOnlyMemory<byte>> Chunks() => MemoryChunks(ram, begin, length).Prepend(elfHeader ?? "KDUMP   "u8.ToArray());

        if (fd is null)
        {
            await WriteNewFileAsync(arguments.Protocol[5..], null, (sink, token) =>
            {
                foreach (var chunk in Chunks())
                {
                    token.ThrowIfCancellationRequested();
                    sink(chunk.Span);
                }
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        // A descriptor the client passed (it may be a pipe nobody drains): written without blocking,
        // outside the lock, until done or the client leaves; counted against the fd caps until closed.
        try
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
            _ = Interop.SetNonBlocking(fd);
            foreach (var chunk in Chunks())
            {
                await WriteToClientFdAsync(fd, chunk, cancel.Token).ConfigureAwait(false);
            }
        }
        catch (IOException e)
        {
            throw Generic($"dump: failed to save memory: {WriteFailure(e)}");
        }
        finally
        {
            ReleaseBusyFd(fd);
        }
    }

    /// <summary>An x86_64 ELF core: header, a PT_NOTE with one NT_PRSTATUS per CPU, one PT_LOAD of the range.</summary>
    private byte[] ElfCoreHeader(long begin, long length)
    {
        const int EhdrSize = 64, PhdrSize = 56, PrstatusSize = 336;
        var cpus = Vm.OnlineCpus.Count;
        var noteSize = cpus * (12 + 8 + PrstatusSize);
        long notesOffset = EhdrSize + (2 * PhdrSize);
        var loadOffset = notesOffset + noteSize;
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
        BinaryPrimitives.WriteUInt64LittleEndian(h[32..], EhdrSize); // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(h[52..], EhdrSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[54..], PhdrSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[56..], 2);
        var note = h[EhdrSize..];
        BinaryPrimitives.WriteUInt32LittleEndian(note, 4); // PT_NOTE
        BinaryPrimitives.WriteUInt64LittleEndian(note[8..], (ulong)notesOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(note[32..], (ulong)noteSize);
        BinaryPrimitives.WriteUInt64LittleEndian(note[40..], (ulong)noteSize);
        var load = h[(EhdrSize + PhdrSize)..];
        BinaryPrimitives.WriteUInt32LittleEndian(load, 1); // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(load[4..], 7);
        BinaryPrimitives.WriteUInt64LittleEndian(load[8..], (ulong)loadOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(load[16..], (ulong)begin);
        BinaryPrimitives.WriteUInt64LittleEndian(load[24..], (ulong)begin);
        BinaryPrimitives.WriteUInt64LittleEndian(load[32..], (ulong)length);
        BinaryPrimitives.WriteUInt64LittleEndian(load[40..], (ulong)length);
        var at = (int)notesOffset;
        foreach (var cpu in Vm.OnlineCpus)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(h[at..], 5); // namesz "CORE\0"
            BinaryPrimitives.WriteUInt32LittleEndian(h[(at + 4)..], PrstatusSize);
            BinaryPrimitives.WriteUInt32LittleEndian(h[(at + 8)..], 1); // NT_PRSTATUS
            "CORE"u8.CopyTo(h[(at + 12)..]);
            BinaryPrimitives.WriteUInt32LittleEndian(h[(at + 20 + 32)..], (uint)(Environment.ProcessId + 1 + cpu)); // pr_pid
            at += 20 + PrstatusSize;
        }

        return header;
    }

    public override async ValueTask XenSaveDevicesStateAsync(XenSaveDevicesStateArguments arguments, QmpSession session, CancellationToken cancellationToken)
    {
        List<string> sections;
        lock (Gate)
        {
            sections = Vm.Devices.Select(d => d.Id ?? d.Driver).ToList();
        }

        var state = new MemoryStream();
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, 0x5145564d); // QEMU_VM_FILE_MAGIC "QEVM"
        state.Write(word);
        BinaryPrimitives.WriteUInt32BigEndian(word, 3); // QEMU_VM_FILE_VERSION
        state.Write(word);
        uint id = 0;
        foreach (var name in sections)
        {
            state.WriteByte(0x04); // QEMU_VM_SECTION_FULL
            BinaryPrimitives.WriteUInt32BigEndian(word, id++);
            state.Write(word);
            var idstr = Encoding.ASCII.GetBytes(name);
            state.WriteByte((byte)Math.Min(255, idstr.Length));
            state.Write(idstr, 0, Math.Min(255, idstr.Length));
        }

        state.WriteByte(0x00); // QEMU_VM_EOF
        var bytes = state.ToArray();
        await WriteNewFileAsync(arguments.Filename, null, (sink, token) => WriteChunked(sink, bytes, token), cancellationToken).ConfigureAwait(false);
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
