using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Pipelines.Generators.Model;

/// <summary>Where a diagnostic goes, as plain data (a <see cref="Location"/> would break caching).</summary>
internal sealed record LocationInfo(string FilePath, int Start, int Length, int StartLine, int StartCharacter, int EndLine, int EndCharacter)
{
    public static LocationInfo? From(Location location)
    {
        if (location.SourceTree is null)
        {
            return null;
        }

        var lines = location.GetLineSpan().Span;
        return new LocationInfo(
            location.SourceTree.FilePath, location.SourceSpan.Start, location.SourceSpan.Length,
            lines.Start.Line, lines.Start.Character, lines.End.Line, lines.End.Character);
    }

    public Location ToLocation() => Location.Create(
        FilePath,
        new TextSpan(Start, Length),
        new LinePositionSpan(new LinePosition(StartLine, StartCharacter), new LinePosition(EndLine, EndCharacter)));
}

/// <summary>A diagnostic to report after emission, as plain data: descriptor id, location, message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location location, params string[] arguments) =>
        new(descriptor.Id, LocationInfo.From(location), new EquatableArray<string>(arguments));
}
