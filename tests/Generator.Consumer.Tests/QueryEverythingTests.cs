using System.Reflection;
using Consumer.Qemu;
using Qmp.Emulator;
using Qmp.Runtime;

namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// Every argument-less <c>query-*</c> of QEMU 2.1's schema, called through the typed client: each
/// returns typed data, or an error reply from the server (a device the machine lacks), or, for the
/// commands QEMU 7.2 removed, <c>CommandNotFound</c>. A reply the generated reader cannot decode
/// (a member the 2.1 prose calls required that QEMU leaves out) fails the test.
/// </summary>
public sealed class QueryEverythingTests
{
    /// <summary>The argument-less commands of 2.1 that QEMU 7.2 no longer has.</summary>
    private static readonly HashSet<string> s_removedIn72 = new(StringComparer.Ordinal)
    {
        "query-cpus", "query-events", "query-migrate-cache-size",
    };

    /// <summary>The typed client's argument-less query methods, by wire name.</summary>
    internal static IReadOnlyList<(string Name, MethodInfo Method)> Queries() =>
        typeof(QemuClient).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name.StartsWith("Query", StringComparison.Ordinal) && m.Name.EndsWith("Async", StringComparison.Ordinal)
                && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(CancellationToken))
            .Select(m => (WireName(m), m))
            .OrderBy(q => q.Item1, StringComparer.Ordinal)
            .ToList();

    // QueryBlockJobsAsync -> query-block-jobs; the wire names are in the generated doc, but the
    // client's "Executes ..." text is not reflected, so rebuild the name from the method.
    private static string WireName(MethodInfo method)
    {
        var stem = method.Name[..^"Async".Length];
        var builder = new System.Text.StringBuilder();
        foreach (var c in stem)
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }

    [Fact]
    public void The_schema_has_the_argument_less_queries()
    {
        var names = Queries().Select(q => q.Name).ToList();
        Assert.Contains("query-block", names);
        Assert.Contains("query-vnc", names);
        Assert.Contains("query-pci", names);
        Assert.True(names.Count >= 30, string.Join(", ", names));
    }

    [QemuFact]
    public async Task Every_query_decodes_against_qemu()
    {
        await using var qemu = await RealQemu.StartAsync();
        var (failures, notFound, errors) = await CallAllAsync(qemu.Address);
        Assert.Empty(failures);
        Assert.Equal(s_removedIn72.Order(StringComparer.Ordinal), notFound.Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.NotEqual(QmpErrorClass.CommandNotFound, e.Class));
    }

    [Fact]
    public async Task Every_query_decodes_against_the_emulator()
    {
        var dir = Directory.CreateTempSubdirectory("qmp-queries-");
        try
        {
            var socket = Path.Combine(dir.FullName, "qmp.sock");
            await using var emulator = await QemuEmulator.StartAsync(new EmulatorOptions { Qmp = [$"unix:{socket},server,nowait"], DataDir = dir.FullName });
            var (failures, notFound, _) = await CallAllAsync($"unix:{socket}");
            Assert.Empty(failures);
            Assert.Empty(notFound);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<(List<string> Failures, List<string> NotFound, List<(string Name, QmpErrorClass Class)> Errors)> CallAllAsync(string address)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var client = await QemuClient.ConnectAsync(address, cancellationToken: timeout.Token);
        var failures = new List<string>();
        var notFound = new List<string>();
        var errors = new List<(string, QmpErrorClass)>();
        foreach (var (name, method) in Queries())
        {
            try
            {
                var task = (Task)method.Invoke(client, [timeout.Token])!;
                await task;
                var result = task.GetType().GetProperty("Result")!.GetValue(task);
                if (result is null)
                {
                    failures.Add($"{name}: no typed result");
                }
            }
            catch (QmpException e) when (e.ErrorClass == QmpErrorClass.CommandNotFound)
            {
                notFound.Add(name);
            }
            catch (QmpException e)
            {
                errors.Add((name, e.ErrorClass));
            }
            catch (Exception e) when (e is QmpProtocolException or System.Text.Json.JsonException)
            {
                failures.Add($"{name}: {e.Message}");
            }
        }
        return (failures, notFound, errors);
    }
}
