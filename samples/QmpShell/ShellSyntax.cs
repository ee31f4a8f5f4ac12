using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace QmpShell;

/// <summary>A line the user typed, read as a command and its arguments.</summary>
internal sealed record ParsedCommand(string Name, JsonObject? Arguments);

/// <summary>A line that cannot be sent: says why, the way the shell prints it.</summary>
internal sealed class ShellSyntaxException(string message) : Exception(message)
{
    public ShellSyntaxException() : this("syntax error") { }

    public ShellSyntaxException(string message, Exception innerException) : this(message) => _ = innerException;
}

/// <summary>
/// qmp-shell's syntax: <c>command name=value name=value ...</c>. Values: quoted text is a string;
/// <c>{...}</c> and <c>[...]</c> are JSON; otherwise the argument's schema type decides
/// (an integer argument gets a number, a string argument keeps <c>true</c> as text); where the type
/// is unknown, <c>true</c>/<c>false</c> become booleans, integers and decimals numbers, and the
/// rest strings.
/// </summary>
internal static class ShellSyntax
{
    /// <summary>Splits on blanks outside quotes and outside <c>{}</c>/<c>[]</c>.</summary>
    public static List<string> Tokenize(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var tokens = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        var quote = '\0';
        var inToken = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                current.Append(c);
                if (c == '\\' && quote == '"' && i + 1 < line.Length)
                {
                    current.Append(line[++i]);
                }
                else if (c == quote)
                {
                    quote = '\0';
                }

                continue;
            }
            if (char.IsWhiteSpace(c) && depth == 0)
            {
                if (inToken)
                {
                    tokens.Add(current.ToString());
                }

                current.Clear();
                inToken = false;
                continue;
            }
            inToken = true;
            current.Append(c);
            if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c is '{' or '[')
            {
                depth++;
            }
            else if (c is '}' or ']' && depth > 0)
            {
                depth--;
            }
        }
        if (quote != '\0')
        {
            throw new ShellSyntaxException($"unterminated {quote} quote");
        }

        if (depth != 0)
        {
            throw new ShellSyntaxException("unbalanced { or [");
        }

        if (inToken)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    /// <summary>Reads a command line; null for a blank one.</summary>
    public static ParsedCommand? Parse(string line, CommandCatalog? catalog)
    {
        var tokens = Tokenize(line);
        if (tokens.Count == 0)
        {
            return null;
        }

        var name = tokens[0];
        var command = catalog?.Find(name);
        if (tokens.Count == 1)
        {
            return new ParsedCommand(name, null);
        }

        var arguments = new JsonObject();
        foreach (var token in tokens.Skip(1))
        {
            var eq = token.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ShellSyntaxException($"expected name=value, got '{token}'");
            }

            var key = token[..eq];
            if (arguments.ContainsKey(key))
            {
                throw new ShellSyntaxException($"argument '{key}' given twice");
            }

            var type = command?.FindArgument(key)?.Type ?? ArgValueType.Any;
            arguments[key] = Coerce(key, token[(eq + 1)..], type);
        }
        return new ParsedCommand(name, arguments);
    }

    /// <summary>The JSON value for <paramref name="text"/> typed as argument <paramref name="key"/>.</summary>
    public static JsonNode? Coerce(string key, string text, ArgValueType type)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length >= 2 && (text[0] is '"' or '\'') && text[^1] == text[0])
        {
            return JsonValue.Create(Unquote(text));
        }

        if (text.Length > 0 && text[0] is '{' or '[')
        {
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException e)
            {
                throw new ShellSyntaxException($"argument '{key}': invalid JSON: {e.Message}");
            }
        }
        switch (type)
        {
            case ArgValueType.String:
                return JsonValue.Create(text);
            case ArgValueType.Integer when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l):
                return JsonValue.Create(l);
            case ArgValueType.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d):
                return JsonValue.Create(d);
            case ArgValueType.Bool when text is "true" or "false":
                return JsonValue.Create(text == "true");
            case ArgValueType.Integer or ArgValueType.Number or ArgValueType.Bool:
                // Not what the schema wants: send it as text and let the server say so.
                return JsonValue.Create(text);
        }
        return Guess(text);
    }

    private static JsonValue? Guess(string text)
    {
        if (text is "true" or "false")
        {
            return JsonValue.Create(text == "true");
        }

        if (text == "null")
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || (text[0] == '-' && text.Length > 1 && char.IsAsciiDigit(text[1])))
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(text);
    }

    private static string Unquote(string text)
    {
        var inner = text[1..^1];
        if (text[0] == '\'')
        {
            return inner;
        }

        var sb = new StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length)
            {
                var next = inner[++i];
                sb.Append(next switch { 'n' => '\n', 't' => '\t', _ => next });
            }
            else
            {
                sb.Append(inner[i]);
            }
        }
        return sb.ToString();
    }
}
