namespace Qmp.Codegen.Consumer.Tests;

/// <summary>
/// <c>Commands="getfd;add-*"</c> on a QmpSchema item of this project, through the package's props
/// and the build: the client has those commands only, and the types of the others are gone.
/// </summary>
public sealed class FilterTests
{
    [Fact]
    public void The_Commands_metadata_reaches_the_generator_through_the_build()
    {
        var client = typeof(global::Consumer.Filtered.FilteredClient);
        var commands = client.GetMethods().Select(m => m.Name)
            .Where(n => n.EndsWith("Async", StringComparison.Ordinal) && n is not ("DisposeAsync" or "ConnectAsync" or "CheckSchemaAsync" or "GetSchemaAsync"))
            .Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(new[] { "AddFdAsync", "GetfdAsync" }, commands);
        Assert.NotNull(client.Assembly.GetType("Consumer.Filtered.GetfdArguments"));
        Assert.Null(client.Assembly.GetType("Consumer.Filtered.ClosefdArguments"));
    }
}
