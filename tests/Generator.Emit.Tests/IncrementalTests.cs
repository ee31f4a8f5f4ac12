using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Qmp.Codegen.Emit.Tests;

/// <summary>The pipeline caches: C# edits reuse everything, schema edits redo only what they change.</summary>
public class IncrementalTests
{
    private static readonly IncrementalStepRunReason[] s_reused = { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

    [Fact]
    public void Editing_unrelated_csharp_leaves_every_step_cached_or_unchanged()
    {
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class A { }");
        var driver = GeneratorHarness.CreateDriver(GeneratorHarness.RepositorySchema()).RunGenerators(compilation);

        var tree = compilation.SyntaxTrees.First();
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText("namespace Consumer; public static class A { public static int B => 1; }", GeneratorHarness.ParseOptions, tree.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var name in TrackingNames.All)
        {
            Assert.True(result.TrackedSteps.ContainsKey(name), $"step {name} was not tracked");
            foreach (var step in result.TrackedSteps[name])
            {
                foreach (var (_, reason) in step.Outputs)
                {
                    Assert.True(s_reused.Contains(reason), $"step {name}: {reason}");
                }
            }
        }
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, s_reused));
    }

    [Fact]
    public void Editing_only_events_regenerates_types_and_events_but_not_client_or_server()
    {
        var schema = GeneratorHarness.RepositorySchema();
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class A { }");
        var texts = schema.Select(s => GeneratorHarness.Text(s.Path, s.Text)).ToList();
        var driver = GeneratorHarness.CreateDriver(schema, texts).RunGenerators(compilation);

        var events = schema.Single(s => s.Path.EndsWith("qmp-events.hx", StringComparison.Ordinal));
        var editedText = events.Text.Replace("Emitted when a VNC client opens a connection.", "Emitted when a VNC client connects.", StringComparison.Ordinal);
        Assert.NotEqual(events.Text, editedText);
        driver = driver.ReplaceAdditionalText(texts.Single(t => t.Path == events.Path), GeneratorHarness.Text(events.Path, editedText));
        var result = driver.RunGenerators(compilation).GetRunResult().Results.Single();

        Assert.Contains(result.TrackedSteps[TrackingNames.EventsOutput].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.All(result.TrackedSteps[TrackingNames.ClientOutput].SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, s_reused));
        Assert.All(result.TrackedSteps[TrackingNames.ServerOutput].SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, s_reused));
    }

    [Fact]
    public void Editing_one_commands_doc_leaves_events_unchanged()
    {
        var schema = GeneratorHarness.RepositorySchema();
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class A { }");
        var texts = schema.Select(s => GeneratorHarness.Text(s.Path, s.Text)).ToList();
        var driver = GeneratorHarness.CreateDriver(schema, texts).RunGenerators(compilation);

        var commands = schema.Single(s => s.Path.EndsWith("qmp-commands.hx", StringComparison.Ordinal));
        var editedText = commands.Text.Replace("Eject a removable medium.", "Eject a removable medium (tray permitting).", StringComparison.Ordinal);
        Assert.NotEqual(commands.Text, editedText);
        driver = driver.ReplaceAdditionalText(texts.Single(t => t.Path == commands.Path), GeneratorHarness.Text(commands.Path, editedText));
        var result = driver.RunGenerators(compilation).GetRunResult().Results.Single();

        // The command's docs are in its module's files (qmp-commands.hx: QmpCommands) and the server's; the client's core and the events stay.
        Assert.Contains(result.TrackedSteps[TrackingNames.ModulesOutput].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified && ((Generation.ModuleOutputSpec)o.Value).Name == "QmpCommands");
        Assert.All(result.TrackedSteps[TrackingNames.ModulesOutput].SelectMany(s => s.Outputs).Where(o => ((Generation.ModuleOutputSpec)o.Value).Name == "QmpEvents"), o => Assert.Contains(o.Reason, s_reused));
        Assert.Contains(result.TrackedSteps[TrackingNames.ServerOutput].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.All(result.TrackedSteps[TrackingNames.ClientOutput].SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, s_reused));
        Assert.All(result.TrackedSteps[TrackingNames.EventsOutput].SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, s_reused));
        Assert.Contains("tray permitting", result.GeneratedSources.Single(s => s.HintName.EndsWith(".QmpCommands.Commands.g.cs", StringComparison.Ordinal)).SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Pipeline_models_hold_no_roslyn_objects()
    {
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class A { }");
        var result = GeneratorHarness.CreateDriver(GeneratorHarness.RepositorySchema()).RunGenerators(compilation).GetRunResult().Results.Single();
        foreach (var name in TrackingNames.All)
        {
            foreach (var output in result.TrackedSteps[name].SelectMany(s => s.Outputs))
            {
                AssertNoRoslyn(output.Value, name, new HashSet<Type>());
            }
        }
    }

    private static void AssertNoRoslyn(object? value, string step, HashSet<Type> seen)
    {
        if (value is null)
        {
            return;
        }

        var type = value.GetType();
        Assert.False(value is Compilation or ISymbol or SyntaxNode or Diagnostic or Location, $"step {step} holds a {type}");
        if (type.IsPrimitive || value is string || !seen.Add(type))
        {
            return;
        }

        if (value is System.Collections.IEnumerable items)
        {
            foreach (var item in items)
            {
                AssertNoRoslyn(item, step, seen);
            }

            return;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            AssertNoRoslyn(property.GetValue(value), step, seen);
        }
    }
}
