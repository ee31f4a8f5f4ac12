using Xunit.Abstractions;

namespace Qmp.Codegen.Emit.Tests;

public class TimingTests(ITestOutputHelper output)
{
    [Fact]
    public void FullSchemaGeneratesQuickly()
    {
        var compilation = GeneratorHarness.Compilation("namespace Consumer; public static class A { }");
        var driver = GeneratorHarness.CreateDriver(GeneratorHarness.RepositorySchema(), trackSteps: false);
        driver = driver.RunGenerators(compilation);
        var first = driver.GetTimingInfo().ElapsedTime;
        var second = driver.RunGenerators(compilation.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("class B { }", GeneratorHarness.ParseOptions))).GetTimingInfo().ElapsedTime;
        output.WriteLine($"first run {first.TotalMilliseconds:F0} ms, cached run {second.TotalMilliseconds:F0} ms");
        // Generous bounds for a loaded 2-core CI machine; the point is the cached run does no work.
        Assert.True(first < TimeSpan.FromSeconds(20), $"first run took {first}");
        Assert.True(second < TimeSpan.FromSeconds(1), $"cached run took {second}");
    }
}
