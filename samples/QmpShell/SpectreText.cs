using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace QmpShell;

/// <summary>
/// Spectre.Console renderables as text for <see cref="IShellConsole.WriteLine"/>: the line editor
/// owns the terminal (it prints output above the line being typed), so tables and JSON are laid
/// out into a string first, with colours only when the console is a terminal.
/// </summary>
internal static class SpectreText
{
    public static string Render(IRenderable renderable, int width, bool colors)
    {
        using var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text),
            Ansi = colors ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = colors ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        console.Write(renderable);

        // Spectre pads every line to the full width; a copied or piped line should end where its text does.
        return string.Join('\n', text.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Select(line => line.TrimEnd()));
    }

    /// <summary>
    /// A reply as coloured, indented JSON (Spectre.Console.Json) on a terminal; an empty object or
    /// array stays <c>{}</c> / <c>[]</c> (Spectre would open and close it on two lines). In a pipe, the
    /// plain text of <see cref="JsonText.Pretty"/>.
    /// </summary>
    public static string Json(JsonElement value, int width, bool colors)
    {
        var plain = JsonText.Pretty(value);
        if (!colors || plain is "{}" or "[]" || value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            return plain;
        }

        return Render(new Spectre.Console.Json.JsonText(plain), width, colors: true);
    }
}
