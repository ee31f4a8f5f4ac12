using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace Qmp.Codegen;

/// <summary>
/// Every diagnostic descriptor the toolchain has, by id: the .hx reader's (QMP00xx), the
/// generator's (QMP01xx), the QAPI reader's (QMP02xx) and the introspection reader's (QMP03xx).
/// The generator takes each Roslyn descriptor's title from here and <c>qmp-codegen diagnostics</c>
/// prints it, so a reader's ids cannot be left out of one and not the other.
/// </summary>
public static class DiagnosticCatalogue
{
    /// <summary>The classes that declare descriptors, each as public static fields.</summary>
    public static readonly IReadOnlyList<System.Type> Declarers = new[]
    {
        typeof(SchemaDiagnostics), typeof(GeneratorDiagnostics), typeof(Qapi.QapiDiagnostics), typeof(Introspection.IntrospectionDiagnostics),
    };

    private static readonly System.Lazy<IReadOnlyList<SchemaDiagnosticDescriptor>> s_descriptors = new(() =>
        Declarers.SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Select(f => f.GetValue(null)).OfType<SchemaDiagnosticDescriptor>()
            .OrderBy(d => d.Id, System.StringComparer.Ordinal).ToList());

    /// <summary>Every descriptor, ordered by id.</summary>
    public static IReadOnlyList<SchemaDiagnosticDescriptor> All => s_descriptors.Value;
}
