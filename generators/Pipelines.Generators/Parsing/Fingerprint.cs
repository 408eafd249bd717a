using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Pipelines.Generators.Parsing;

/// <summary>
/// The stable fingerprint of a definition: FNV-1a 64 over the UTF-8 text of its tokens, one space between
/// tokens, so whitespace and comments do not change it while any change to the code does.
/// </summary>
internal static class Fingerprint
{
    private const ulong OffsetBasis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static string Of(SyntaxNode node)
    {
        var hash = OffsetBasis;
        foreach (var token in node.DescendantTokens())
        {
            hash = Add(hash, token.Text);
            hash = Add(hash, " ");
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>FNV-1a 64 of <paramref name="text"/>'s UTF-8 bytes, as 16 lowercase hex digits.</summary>
    public static string OfText(string text) => Add(OffsetBasis, text).ToString("x16", CultureInfo.InvariantCulture);

    private static ulong Add(ulong hash, string text)
    {
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash = unchecked(hash * Prime);
        }

        return hash;
    }
}
