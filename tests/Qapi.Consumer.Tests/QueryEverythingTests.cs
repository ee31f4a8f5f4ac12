#if QEMU72_CLIENT
using System.Reflection;
using Qapi.Consumer.Qemu72;
using Qmp.Runtime;
#endif

namespace Qmp.Codegen.Qapi.Consumer.Tests;

/// <summary>
/// Every argument-less <c>query-*</c> command of QEMU 7.2's QAPI schema, called through the client
/// generated from that schema against a real QEMU 7.2: each returns typed data or an error reply
/// (a device or feature the machine lacks); a reply the generated reader cannot decode fails.
/// </summary>
public sealed class QueryEverythingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // Kept in a field so the class compiles whether or not the client was generated (without it,
    // the tests skip and never write: an unread primary-constructor parameter is CS9113).
    private readonly Xunit.Abstractions.ITestOutputHelper _output = output;

    /// <summary>Argument-less queries under <c>'if': 'TARGET_ARM'</c> (or another target): absent from an x86_64 QEMU.</summary>
    private static readonly string[] s_otherTargets = { "QueryGicCapabilitiesAsync" };

    [Qemu72Fact]
    public async Task Every_argument_less_query_returns_typed_data()
    {
#if QEMU72_CLIENT
        await using var qemu = await RealQemu.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var client = await Qemu72Client.ConnectAsync(qemu.Address, cancellationToken: timeout.Token);
        var queries = typeof(Qemu72Client).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name.StartsWith("Query", StringComparison.Ordinal) && m.Name.EndsWith("Async", StringComparison.Ordinal)
                && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(CancellationToken))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
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
            catch (Exception e) when (e is QmpProtocolException or System.Text.Json.JsonException)
            {
                failures.Add($"{method.Name}: {e.Message}");
            }
        }
        _output.WriteLine($"{queries.Count} argument-less queries: {typed.Count} typed results, {errors.Count} error replies, {failures.Count} decode failures");
        foreach (var line in errors.Concat(failures))
        {
            _output.WriteLine("  " + line);
        }

        Assert.Empty(failures);
        Assert.True(typed.Count >= 40, $"only {typed.Count} typed results");
        // Only the commands of another target are missing from qemu-system-x86_64.
        Assert.Equal(s_otherTargets, errors.Where(e => e.Contains("CommandNotFound", StringComparison.Ordinal)).Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]));
#else
        await Task.CompletedTask;
#endif
    }
}
