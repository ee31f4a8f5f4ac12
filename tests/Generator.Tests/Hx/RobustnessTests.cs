using Qmp.Codegen.Hx;
using Qmp.Codegen.Model;

namespace Qmp.Codegen.Tests.Hx;

/// <summary>Bad input never crashes the parser: it always returns a model with diagnostics.</summary>
public class RobustnessTests
{
    [Fact]
    public void Truncated_seeds_parse_without_throwing()
    {
        var seed = TestFiles.Seed;
        for (var length = 0; length < seed.Length; length += 997)
        {
            var model = SchemaParser.Parse("cut.hx", seed[..length]);
            Assert.All(model.Diagnostics, d => Assert.InRange(d.Location.Start, 0, length));
        }
    }

    [Fact]
    public void Seeds_with_deletions_and_random_bytes_parse_without_throwing()
    {
        var seed = TestFiles.Seed;
        var random = new Random(42);
        for (var round = 0; round < 60; round++)
        {
            var chars = seed.ToCharArray().ToList();
            for (var edit = 0; edit < 20; edit++)
            {
                var at = random.Next(chars.Count);
                if (random.Next(2) == 0)
                {
                    chars.RemoveRange(at, Math.Min(random.Next(1, 200), chars.Count - at));
                }
                else
                {
                    chars.Insert(at, (char)random.Next(0, 128));
                }
            }
            var model = SchemaParser.Parse("mutated.hx", new string(chars.ToArray()));
            Assert.NotNull(model);
        }
    }

    [Fact]
    public void A_truncated_entry_is_an_error_with_a_location()
    {
        var model = SchemaParser.Parse("t.hx", """{ .name = "stop", .args_type = "", .mhandler.cmd_new = qmp_stop,""");
        var error = Assert.Single(model.Diagnostics, d => d.Severity == SchemaSeverity.Error);
        Assert.Equal("QMP0003", error.Id);
        Assert.Equal(1, error.Location.Line);
    }
}
