using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;

namespace Pipelines.Generators.Planning;

/// <summary>
/// Hands out identifiers that are unique in one generated method and never equal a name the user's lambdas
/// mention (so an inlined lambda still binds every name as it did in the user's code).
/// </summary>
internal sealed class NameScope
{
    private readonly HashSet<string> _taken;

    public NameScope(IEnumerable<string> reserved) => _taken = new HashSet<string>(reserved, System.StringComparer.Ordinal);

    /// <summary>Takes <paramref name="preferred"/> as is (the user's own parameter name) unless it is taken.</summary>
    public string Fresh(string preferred)
    {
        var name = preferred.Length == 0 ? "value" : preferred;
        if (_taken.Add(name))
        {
            return Escape(name);
        }

        for (var i = 2; ; i++)
        {
            var candidate = name + i.ToString(CultureInfo.InvariantCulture);
            if (_taken.Add(candidate))
            {
                return Escape(candidate);
            }
        }
    }

    /// <summary>Claims a name the user chose (a parameter of the definition), keeping it as it is.</summary>
    public void Claim(string name) => _taken.Add(name);

    private static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.VarKeyword
            ? "@" + name
            : name;
}
