#if QEMU_LIVE_CLIENT
using System.Reflection;
using System.Text.Json;
using Introspection.Consumer.LiveQemu;
using Qmp.Runtime;
#endif
#if QEMU_LIVE_NAMED_CLIENT
using Named = Introspection.Consumer.NamedQemu;
#endif

namespace Qmp.Codegen.Introspection.Consumer.Tests;

// Explicit local types are what these tests check: they compile only with the names and widths they state.
#pragma warning disable IDE0007

/// <summary>
/// The client generated from the installed QEMU's <c>query-qmp-schema</c> answer alone (no QAPI
/// source: types named from where they are used, every integer a long), driving that QEMU.
/// </summary>
public sealed class LiveClientTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // Kept in a field so the class compiles whether or not the client was generated (without it,
    // the tests skip and never write: an unread primary-constructor parameter is CS9113).
    private readonly Xunit.Abstractions.ITestOutputHelper _output = output;

    [LiveQemuFact]
    public async Task Every_argument_less_query_returns_typed_data_or_an_error_reply()
    {
#if QEMU_LIVE_CLIENT
        await using var qemu = await RealQemu.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var client = await LiveQemuClient.ConnectAsync(qemu.Address, cancellationToken: timeout.Token);

        // The argument-less query-* commands of the saved schema: those whose arg-type is the empty object.
        using var schema = JsonDocument.Parse(LiveQemuClient.SchemaDescription);
        var expected = schema.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("meta-type").GetString() == "command" && e.GetProperty("arg-type").GetString() == "q_empty"
                && e.GetProperty("name").GetString()!.StartsWith("query-", StringComparison.Ordinal))
            .Select(e => e.GetProperty("name").GetString()!)
            .ToList();
        var queries = typeof(LiveQemuClient).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name.StartsWith("Query", StringComparison.Ordinal) && m.Name.EndsWith("Async", StringComparison.Ordinal)
                && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(CancellationToken))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected.Count, queries.Count);

        var typed = new List<string>();
        var failures = new List<string>();
        var errors = new List<string>();
        foreach (var method in queries)
        {
            try
            {
                var task = (Task)method.Invoke(client, [timeout.Token])!;
                await task;
                var result = task.GetType().GetProperty("Result")?.GetValue(task);
                if (result is null)
                {
                    failures.Add($"{method.Name}: no typed result");
                }
                else
                {
                    typed.Add(method.Name);
                }
            }
            catch (QmpException e)
            {
                errors.Add($"{method.Name}: {e.ErrorClass} {e.Message}");
            }
            catch (Exception e) when (e is QmpProtocolException or JsonException)
            {
                failures.Add($"{method.Name}: {e.Message}");
            }
        }
        _output.WriteLine($"{client.Greeting.Version}: {queries.Count} argument-less queries: {typed.Count} typed results, {errors.Count} error replies, {failures.Count} decode failures");
        foreach (var line in errors.Concat(failures))
        {
            _output.WriteLine("  " + line);
        }

        Assert.Empty(failures);
        Assert.True(typed.Count >= 40, $"only {typed.Count} typed results");
        // The schema is this QEMU's own: every command it lists is there (errors are what the machine lacks).
        Assert.DoesNotContain(errors, e => e.Contains("CommandNotFound", StringComparison.Ordinal));
#else
        await Task.CompletedTask;
#endif
    }

    [LiveQemuFact]
    public async Task Types_are_named_from_their_use_and_integers_are_long()
    {
#if QEMU_LIVE_CLIENT
        await using var qemu = await RealQemu.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var client = await LiveQemuClient.ConnectAsync(qemu.Address, cancellationToken: timeout.Token);

        QueryStatusResult status = await client.QueryStatusAsync(timeout.Token);
        Assert.True(status.Running);
        Assert.Equal("running", status.Status.ToString());

        IReadOnlyList<QueryBlockResult> blocks = await client.QueryBlockAsync(timeout.Token);
        var disk = Assert.Single(blocks, b => b.Device == "disk0");
        // BlockDeviceInfo is first used (breadth first, in schema order) as query-named-block-nodes' element.
        QueryNamedBlockNodesResult inserted = disk.Inserted!;
        QueryNamedBlockNodesResultImage image = inserted.Image;
        long size = image.VirtualSize;
        Assert.Equal(64L * 1024 * 1024, size);
        Assert.EndsWith("disk.qcow2", inserted.File, StringComparison.Ordinal);
        Assert.Null(Assert.Single(blocks, b => b.Device == "cd0").Inserted);
#else
        await Task.CompletedTask;
#endif
    }

    [LiveQemuFact]
    public async Task The_client_checks_its_schema_against_the_QEMU_it_came_from_without_a_difference()
    {
#if QEMU_LIVE_CLIENT
        await using var qemu = await RealQemu.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var client = await LiveQemuClient.ConnectAsync(qemu.Address, cancellationToken: timeout.Token);
        var report = await client.CheckSchemaAsync(timeout.Token);
        _output.WriteLine(report.ToString());
        Assert.True(report.IsCompatible, report.ToString());
        Assert.Empty(report.Differences);
#else
        await Task.CompletedTask;
#endif
    }

    [NamedQemuFact]
    public async Task With_the_QAPI_source_the_types_have_its_names_and_the_client_drives_QEMU()
    {
#if QEMU_LIVE_NAMED_CLIENT
        await using var qemu = await RealQemu.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var client = await Named.NamedQemuClient.ConnectAsync(qemu.Address, cancellationToken: timeout.Token);

        Named.StatusInfo status = await client.QueryStatusAsync(timeout.Token);
        Assert.Equal(Named.RunState.Running, status.Status);
        IReadOnlyList<Named.BlockInfo> blocks = await client.QueryBlockAsync(timeout.Token);
        Named.BlockDeviceInfo inserted = Assert.Single(blocks, b => b.Device == "disk0").Inserted!;
        Named.ImageInfo image = inserted.Image;
        long size = image.VirtualSize;
        Assert.Equal(64L * 1024 * 1024, size);

        var report = await client.CheckSchemaAsync(timeout.Token);
        _output.WriteLine(report.ToString());
        Assert.Empty(report.Differences);
#else
        await Task.CompletedTask;
#endif
    }
}
