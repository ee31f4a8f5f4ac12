using Qmp.Codegen.Hx;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Tests;

/// <summary>The repository's schema files, copied next to the test assembly.</summary>
internal static class TestFiles
{
    public static string Dir(string name) => Path.Combine(AppContext.BaseDirectory, name);

    public static string Seed => File.ReadAllText(Path.Combine(Dir("schema"), "qmp-commands.hx"));

    public static SchemaModel ParseSeed() => SchemaParser.Parse("schema/qmp-commands.hx", Seed);

    public static SchemaModel ParseAll() => SchemaParser.Parse(
        new[] { "qmp-commands.hx", "qmp-commands-extra.hx", "qmp-events.hx" }
            .Select(f => new SchemaSource("schema/" + f, File.ReadAllText(Path.Combine(Dir("schema"), f)))));
}
