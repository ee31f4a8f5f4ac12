using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Qmp.Emulator.CommandLine;

public static partial class Qemu72CommandLine
{
    private sealed partial class Reader
    {
        /// <summary>A block node while the line is read: its configuration and the first bytes of its host file.</summary>
        private sealed record Node(BlockNodeConfiguration Configuration, byte[]? Header);

        private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
        private readonly List<BlockNodeConfiguration> _nodeOrder = [];
        private int _anonymousNodes;

        /// <summary>QEMU's third step: the machine put together in qemu_init's order, each failure in QEMU's words.</summary>
        private LaunchConfiguration Build()
        {
            var (machineName, cpuMax) = CheckMachine();
            var smp = Topology(machineName, cpuMax);
            CheckBootAndRtc();
            var chardevs = BuildChardevs();
            CheckAccelerators();
            var objects = BuildBackends(_objects, "object");
            CheckSecrets(objects);
            var netdevs = BuildBackends(_netdevs, "netdev");
            CheckCpu();
            using (var images = LaunchImages.Open(_config.DataDir, _imageDirs))
            {
                foreach (var blockdev in _blockdevs)
                {
                    AddNode(blockdev.Option, blockdev.Options, images, root: true);
                }
            }

            var monitors = BuildMonitors(chardevs);
            var devices = BuildDevices(netdevs);
            return _config with
            {
                MachineTypeName = machineName,
                Smp = smp,
                Chardevs = chardevs,
                Monitors = monitors,
                BlockNodes = [.. _nodeOrder],
                Devices = devices,
                Objects = [.. objects.Select(Freeze)],
                Netdevs = [.. netdevs.Select(Freeze)],
                Audiodevs = [.. _audiodevs.Select(Freeze)],
                Globals = [.. _globals],
                Ignored = [.. _ignored],
                ImageDirs = [.. _imageDirs],
            };
        }

        private (string Name, int CpuMax) CheckMachine()
        {
            if (!s_machineTypes.Value.Contains(_config.MachineType))
            {
                throw new UnlocatedException("unsupported machine type");
            }

            if (_machineAccel && _accelOption is not null)
            {
                throw new UnlocatedException("The -accel and \"-machine accel=\" options are incompatible");
            }

            return MachineCpuMax(_config.MachineType);
        }

        /// <summary>-smp as QEMU 7.2's machine_parse_smp_config completes and checks it (pc machines have dies).</summary>
        private SmpTopology Topology(string machineName, int cpuMax)
        {
            if (_smp is null)
            {
                return _config.Smp;
            }

            var known = new[] { "cpus", "sockets", "dies", "clusters", "cores", "threads", "maxcpus" };
            var values = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (key, text) in _smp)
            {
                if (!known.Contains(key))
                {
                    throw new UnlocatedException($"Parameter 'smp.{key}' is unexpected");
                }

                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) || number < 0 || number > int.MaxValue)
                {
                    throw new UnlocatedException($"Parameter 'smp.{key}' expects integer");
                }

                values[key] = number;
            }

            // Zero is deprecated and read as "not given" in 7.2.
            long Get(string key) => values.GetValueOrDefault(key);
            long cpus = Get("cpus"), sockets = Get("sockets"), cores = Get("cores"), threads = Get("threads"), maxcpus = Get("maxcpus");
            var dies = Math.Max(1, Get("dies"));
            var clusters = Math.Max(1, Get("clusters"));
            if (cpus == 0 && maxcpus == 0)
            {
                sockets = sockets > 0 ? sockets : 1;
                cores = cores > 0 ? cores : 1;
                threads = threads > 0 ? threads : 1;
            }
            else
            {
                maxcpus = maxcpus > 0 ? maxcpus : cpus;
                if (PrefersSockets(machineName))
                {
                    if (sockets == 0)
                    {
                        cores = cores > 0 ? cores : 1;
                        threads = threads > 0 ? threads : 1;
                        sockets = maxcpus / (dies * clusters * cores * threads);
                    }
                    else if (cores == 0)
                    {
                        threads = threads > 0 ? threads : 1;
                        cores = maxcpus / (sockets * dies * clusters * threads);
                    }
                }
                else if (cores == 0)
                {
                    sockets = sockets > 0 ? sockets : 1;
                    threads = threads > 0 ? threads : 1;
                    cores = maxcpus / (sockets * dies * clusters * threads);
                }
                else if (sockets == 0)
                {
                    threads = threads > 0 ? threads : 1;
                    sockets = maxcpus / (dies * clusters * cores * threads);
                }

                // Threads are worked out last.
                if (threads == 0)
                {
                    threads = maxcpus / (sockets * dies * clusters * cores);
                }
            }

            maxcpus = maxcpus > 0 ? maxcpus : sockets * dies * clusters * cores * threads;
            cpus = cpus > 0 ? cpus : maxcpus;
            var hasDies = machineName.StartsWith("pc", StringComparison.Ordinal);
            var hierarchy = $"sockets ({sockets}){(hasDies ? $" * dies ({dies})" : "")} * cores ({cores}) * threads ({threads})";
            if (sockets * dies * clusters * cores * threads != maxcpus)
            {
                throw new UnlocatedException($"Invalid CPU topology: product of the hierarchy must match maxcpus: {hierarchy} != maxcpus ({maxcpus})");
            }

            if (maxcpus < cpus)
            {
                throw new UnlocatedException($"Invalid CPU topology: maxcpus must be equal to or greater than smp: {hierarchy} == maxcpus ({maxcpus}) < smp_cpus ({cpus})");
            }

            if (maxcpus > cpuMax)
            {
                throw new UnlocatedException($"Invalid SMP CPUs {maxcpus}. The max CPUs supported by machine '{machineName}' is {cpuMax}");
            }

            return new SmpTopology((int)cpus, (int)maxcpus, (int)sockets, (int)dies, (int)cores, (int)threads);
        }

        /// <summary>Machine types before 6.2 fill an omitted count into sockets, later ones into cores (QEMU's prefer_sockets).</summary>
        private static bool PrefersSockets(string machineName)
        {
            var dash = machineName.LastIndexOf('-');
            return dash > 0 && Version.TryParse(machineName[(dash + 1)..], out var version) && version < new Version(6, 2);
        }

        private void CheckBootAndRtc()
        {
            foreach (var key in new[] { "strict", "menu", "splash" })
            {
                if (_config.Boot.TryGetValue(key, out var value) && value is not ("on" or "off" or "yes" or "no" or "true" or "false" or "y" or "n"))
                {
                    throw new UnlocatedException($"Parameter 'boot.{key}' expects 'on' or 'off'");
                }
            }

            if (_config.Rtc.TryGetValue("base", out var rtcBase) && rtcBase is not ("utc" or "localtime")
                && !DateTime.TryParseExact(rtcBase, ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                throw new UnlocatedException("invalid datetime format");
            }
        }

        private ImmutableArray<ChardevConfiguration> BuildChardevs()
        {
            var result = ImmutableArray.CreateBuilder<ChardevConfiguration>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var chardev in _chardevs)
            {
                if (!ids.Add(chardev.Id))
                {
                    throw chardev.Option!.Refuse($"Duplicate ID '{chardev.Id}' for chardev");
                }

                if (chardev.Backend == "socket" && chardev.Options.TryGetValue("fd", out var fdText)
                    && int.TryParse(fdText, NumberStyles.None, CultureInfo.InvariantCulture, out var fd) && !IsSocket(fd))
                {
                    throw chardev.Option!.Refuse($"File descriptor '{fd}' is not a socket");
                }

                if (chardev.Backend == "socket" && chardev.Options.TryGetValue("path", out var path))
                {
                    CheckSocketPath(chardev, path);
                }

                if (chardev.Backend == "file")
                {
                    OpenChardevFile(chardev);
                }

                result.Add(new ChardevConfiguration(chardev.Id, chardev.Backend, chardev.Options.ToImmutableDictionary(StringComparer.Ordinal)));
            }

            return result.ToImmutable();
        }

        /// <summary>
        /// A unix socket's <c>path=</c> as QEMU 7.2's unix_listen_saddr and unix_connect_saddr take it: at most 108 bytes
        /// (sun_path), an empty one for a server a fresh <c>$TMPDIR/qemu-socket-XXXXXX</c> (written back into the options,
        /// so the monitor and query-chardev use it), and a server's folder that must exist. An existing directory at the
        /// path is refused as QEMU's unlink refuses it; any other file there is handled when the socket is bound.
        /// </summary>
        private static void CheckSocketPath(PendingChardev chardev, string path)
        {
            var server = chardev.Options.TryGetValue("server", out var s) && s is "" or "on" or "yes" or "true";
            if (server && path.Length == 0)
            {
                var tmp = Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } t ? t : "/tmp";
                chardev.Options["path"] = path = System.IO.Path.Combine(tmp, "qemu-socket-" + RandomSuffix());
            }

            if (System.Text.Encoding.UTF8.GetByteCount(path) > CommandLineLimits.UnixSocketPathBytes)
            {
                throw Refuse(chardev, $"UNIX socket path '{path}' is too long\nPath must be less than {CommandLineLimits.UnixSocketPathBytes} bytes");
            }

            if (!server)
            {
                return;
            }

            if (Directory.Exists(path))
            {
                throw Refuse(chardev, $"Failed to unlink socket {path}: Is a directory");
            }

            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
            if (folder is not null && !Directory.Exists(folder))
            {
                throw Refuse(chardev, $"Failed to bind socket to {path}: No such file or directory");
            }
        }

        /// <summary>
        /// QEMU 7.2's qemu_chr_parse_file_out and qmp_chardev_open_file: <c>path=</c> is required, then the files are
        /// opened by the command line's rules (<see cref="LaunchImages.OpenChardevFile"/>).
        /// </summary>
        private void OpenChardevFile(PendingChardev chardev)
        {
            if (!chardev.Options.TryGetValue("path", out var output))
            {
                throw Refuse(chardev, "chardev: file: no filename given");
            }

            var append = chardev.Options.TryGetValue("append", out var a) && a is "" or "on" or "yes" or "true";
            using var files = LaunchImages.Open(_config.DataDir, _imageDirs);
            try
            {
                files.OpenChardevFile(output, append);
            }
            catch (QemuOptionException e)
            {
                throw Refuse(chardev, e.Message);
            }
        }

        private static QemuOptionException Refuse(PendingChardev chardev, string message) =>
            chardev.Option?.Refuse(message) ?? new QemuOptionException(message);

        /// <summary>mkstemp's six characters.</summary>
        private static string RandomSuffix()
        {
            const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            return string.Create(6, 0, (span, _) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = Letters[System.Security.Cryptography.RandomNumberGenerator.GetInt32(Letters.Length)];
                }
            });
        }

        /// <summary><c>-machine accel=</c>'s names are checked once the machine exists (QEMU's configure_accelerators, no location).</summary>
        private void CheckAccelerators()
        {
            foreach (var accel in _config.Accelerators.Where(a => a is not ("tcg" or "kvm" or "qtest" or "xen")))
            {
                throw new UnlocatedException($"invalid accelerator {accel}");
            }
        }

        private static List<JsonObject> BuildBackends(List<(Option Option, JsonObject Value)> backends, string kind)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (option, value) in backends)
            {
                var id = value["id"]!.GetValueKind() == JsonValueKind.String ? value["id"]!.GetValue<string>() : value["id"]!.ToJsonString();
                if (!OptionText.IsIdentifier(id))
                {
                    throw option.Refuse("Parameter 'id' expects an identifier");
                }

                if (!ids.Add(id))
                {
                    throw option.Refuse($"Duplicate ID '{id}' for {kind}");
                }
            }

            return [.. backends.Select(b => b.Value)];
        }

        /// <summary>A secret object needs its data (libvirt passes the disk's key this way).</summary>
        private static void CheckSecrets(List<JsonObject> objects)
        {
            if (objects.Any(o => o["qom-type"]?.GetValueKind() == JsonValueKind.String && o["qom-type"]!.GetValue<string>() == "secret" && o["data"] is null && o["file"] is null))
            {
                throw new UnlocatedException("Either 'file' or 'data' must be provided");
            }
        }

        private void CheckCpu()
        {
            if (_config.CpuModel == "host" && !_config.Accelerators.Contains("kvm"))
            {
                throw new UnlocatedException("CPU model 'host' requires KVM or HVF");
            }

            if (_config.CpuModel != "host" && !s_cpuModels.Value.Contains(_config.CpuModel))
            {
                throw new UnlocatedException($"unable to find CPU model '{_config.CpuModel}'");
            }
        }

        /// <summary>
        /// Adds a block node (and first an inline child), as bdrv_open: the node name checked and unique,
        /// <c>file</c> found, and the sizes read: a host file's length through the confinement rules, a
        /// qcow2 image's virtual size from its header.
        /// </summary>
        private string AddNode(Option o, JsonObject options, LaunchImages images, bool root)
        {
            if (_nodes.Count >= CommandLineLimits.MaxBlockNodes)
            {
                throw o.Refuse($"more than {CommandLineLimits.MaxBlockNodes} block nodes (the emulator's limit)");
            }

            var driver = options["driver"]!.GetValue<string>();
            var nodeName = options["node-name"] is { } n ? (n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : n.ToJsonString()) : null;
            if (nodeName is null)
            {
                if (root)
                {
                    throw o.Refuse("'node-name' must be specified for the root node");
                }

                // QEMU names an unnamed child "#blockNNN" from a counter.
                nodeName = $"#block{++_anonymousNodes * 100 + 33}";
            }
            else if (!OptionText.IsIdentifier(nodeName) || nodeName.Length > 31)
            {
                throw o.Refuse($"Invalid node-name: '{nodeName}'");
            }

            if (_nodes.ContainsKey(nodeName))
            {
                throw o.Refuse($"Duplicate nodes with node-name='{nodeName}'");
            }

            Node? child = null;
            switch (options["file"])
            {
                case JsonObject inline when s_needFile.Contains(driver):
                    child = _nodes[AddNode(o, inline, images, root: false)];
                    break;
                case JsonValue reference when s_needFile.Contains(driver):
                    {
                        var name = reference.GetValueKind() == JsonValueKind.String ? reference.GetValue<string>() : reference.ToJsonString();
                        child = _nodes.GetValueOrDefault(name) ?? throw o.Refuse($"Cannot find device='{name}' nor node-name='{name}'");
                        break;
                    }
            }

            var frozen = Freeze(options);
            BlockNodeConfiguration node = new(nodeName, driver, frozen) { File = child?.Configuration.NodeName };
            byte[]? header = null;
            if (s_fileDrivers.Contains(driver))
            {
                var filename = OptionValues.GetString(frozen, "filename")!;
                (long Length, byte[] Header) read;
                try
                {
                    read = images.Read(filename, driver);
                }
                catch (QemuOptionException e)
                {
                    throw o.Refuse(e.Message);
                }

                var (length, bytes) = read;
                header = bytes;
                node = node with { Filename = filename, VirtualSize = length, ActualSize = length };
            }
            else if (driver == "qcow2")
            {
                node = node with { VirtualSize = Qcow2VirtualSize(o, child!), ActualSize = child!.Configuration.ActualSize };
            }
            else if (driver is "null-co" or "null-aio")
            {
                node = node with { VirtualSize = OptionValues.GetInt64(frozen, "size") ?? (1L << 30) };
            }
            else if (child is not null)
            {
                // raw (and other formats read as raw): the file's bytes, or the part "offset"/"size" name.
                var size = OptionValues.GetInt64(frozen, "size") ?? Math.Max(0, child.Configuration.VirtualSize - (OptionValues.GetInt64(frozen, "offset") ?? 0));
                node = node with { VirtualSize = size, ActualSize = child.Configuration.ActualSize };
            }

            _nodes[nodeName] = new Node(node, header);
            _nodeOrder.Add(node);
            return nodeName;
        }

        /// <summary>The qcow2 header's size of the file under the node; QEMU's words when it is no qcow2 image.</summary>
        private static long Qcow2VirtualSize(Option o, Node child) =>
            Qcow2Header.VirtualSize(child.Header, out var refusal) ?? throw o.Refuse(refusal);

        private ImmutableArray<MonitorConfiguration> BuildMonitors(ImmutableArray<ChardevConfiguration> chardevs)
        {
            foreach (var monitor in _monitors.Where(m => !chardevs.Any(c => c.Id == m.Chardev)))
            {
                throw monitor.Option.Refuse($"chardev \"{monitor.Chardev}\" not found");
            }

            return [.. _monitors.Select(m => new MonitorConfiguration(m.Id, m.Chardev, m.Mode, m.Pretty))];
        }

        /// <summary>-device, as qdev_device_add: a concrete device type, a unique id, and the block node its drive names.</summary>
        private ImmutableArray<DeviceConfiguration> BuildDevices(List<JsonObject> netdevs)
        {
            var result = ImmutableArray.CreateBuilder<DeviceConfiguration>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var anonymous = 0;
            foreach (var device in _devices)
            {
                var o = device.Option;
                var properties = device.Properties;
                // As QEMU, a driver that is no string is no driver.
                var driver = properties["driver"] is JsonValue d && d.GetValueKind() == JsonValueKind.String ? d.GetValue<string>() : throw o.Refuse("Parameter 'driver' is missing");
                if (!s_deviceTypes.Value.Contains(driver))
                {
                    throw o.Refuse($"'{driver}' is not a valid device model name");
                }

                var id = properties["id"] is { } i ? (i.GetValueKind() == JsonValueKind.String ? i.GetValue<string>() : i.ToJsonString()) : null;
                if (id is not null && !OptionText.IsIdentifier(id))
                {
                    throw o.Refuse("Parameter 'id' expects an identifier");
                }

                if (id is not null && !ids.Add(id))
                {
                    throw o.Refuse($"Duplicate ID '{id}' for device");
                }

                var frozen = Freeze(properties);
                var drive = OptionValues.GetString(frozen, "drive");
                if (drive is not null && !_nodes.TryGetValue(drive, out _))
                {
                    throw o.Refuse($"Property '{DriveOwner(driver)}.drive' can't find value '{drive}'");
                }

                var netdev = OptionValues.GetString(frozen, "netdev");
                if (netdev is not null && !netdevs.Any(n => OptionValues.GetString(Freeze(n), "id") == netdev))
                {
                    throw o.Refuse($"Property '{driver}.netdev' can't find value '{netdev}'");
                }

                var path = id is null ? $"/machine/peripheral-anon/device[{anonymous++}]" : $"/machine/peripheral/{id}";
                result.Add(new DeviceConfiguration(driver, id, frozen, path));
            }

            return result.ToImmutable();
        }

        /// <summary>The type whose <c>drive</c> property QEMU names: a virtio-blk PCI proxy forwards it to its virtio-blk-device.</summary>
        private static string DriveOwner(string driver) =>
            driver.StartsWith("virtio-blk-pci", StringComparison.Ordinal) ? "virtio-blk-device" : driver;

        /// <summary>The option as an immutable JSON element.</summary>
        private static JsonElement Freeze(JsonObject value)
        {
            using var document = JsonDocument.Parse(value.ToJsonString());
            return document.RootElement.Clone();
        }
    }
}
