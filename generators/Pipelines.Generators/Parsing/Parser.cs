using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Pipelines.Generators.Diagnostics;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Parsing;

/// <summary>
/// Reads a <c>[StreamingPipeline]</c> class (syntax + semantic model) into a <see cref="ClassModel"/>. Pure: the
/// model holds strings, enums and equatable arrays only, so the incremental pipeline can cache it.
/// </summary>
internal static class Parser
{
    /// <summary>The metadata name of the attribute that marks a pipeline class.</summary>
    public const string AttributeMetadataName = "Pipelines.StreamingPipelineAttribute";

    private const string DefinePrefix = "Define";
    private const string StreamMetadataName = "Pipelines.DStream`1";

    /// <summary>Fully qualified, with nullable annotations and tuple element names.</summary>
    internal static readonly SymbolDisplayFormat TypeFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>Reads the class the attribute is on.</summary>
    public static ClassModel Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        Parse((ClassDeclarationSyntax)context.TargetNode, (INamedTypeSymbol)context.TargetSymbol, context.SemanticModel, cancellationToken);

    /// <summary>Reads <paramref name="declaration"/>, the declaration of <paramref name="type"/> that carries the attribute.</summary>
    /// <remarks>The generator and <see cref="DefinitionDiagnosticsAnalyzer"/> both call this: one parse, one set of diagnostics.</remarks>
    public static ClassModel Parse(ClassDeclarationSyntax declaration, INamedTypeSymbol type, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var definitions = new List<DefinitionModel>();
        var name = declaration.Identifier.ValueText;

        var containing = new List<string>();
        if (!IsPartialAllTheWay(declaration))
        {
            // The analyzer reports this as PIPE001 (an error, with a code fix); one diagnostic, not two.
            return new ClassModel(null, EquatableArray<string>.Empty, name, EquatableArray<string>.Empty, EquatableArray<string>.Empty, EquatableArray<DefinitionModel>.Empty, EquatableArray<DiagnosticInfo>.Empty);
        }

        var problem = ClassProblem(declaration, containing);
        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(GeneratorDiagnostics.DefinitionShapeNotSupported, declaration.Identifier.GetLocation(), name, problem));
            return new ClassModel(null, EquatableArray<string>.Empty, name, EquatableArray<string>.Empty, EquatableArray<string>.Empty, EquatableArray<DefinitionModel>.Empty, diagnostics.ToEquatableArray());
        }

        var fileLocalTypes = SyntacticFilters.DeclaresFileLocalType(declaration.SyntaxTree.GetRoot(cancellationToken));
        foreach (var method in declaration.Members.OfType<MethodDeclarationSyntax>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!method.Identifier.ValueText.StartsWith(DefinePrefix, System.StringComparison.Ordinal)
                || !method.Modifiers.Any(SyntaxKind.PublicKeyword)
                || !method.Modifiers.Any(SyntaxKind.StaticKeyword))
            {
                continue;
            }

            var definition = new DefinitionReader(semanticModel, method, fileLocalTypes, diagnostics, cancellationToken).Read();
            if (definition is not null)
            {
                definitions.Add(definition);
            }
        }

        var usings = new List<string>();
        var namespaceUsings = new List<string>();
        if (declaration.SyntaxTree.GetRoot(cancellationToken) is CompilationUnitSyntax unit)
        {
            usings.AddRange(unit.Usings.Where(u => u.GlobalKeyword.IsKind(SyntaxKind.None)).Select(Text));
        }

        foreach (var ns in declaration.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Reverse())
        {
            namespaceUsings.AddRange(ns.Usings.Select(Text));
        }

        return new ClassModel(
            type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            containing.ToEquatableArray(),
            name,
            usings.ToEquatableArray(),
            namespaceUsings.ToEquatableArray(),
            definitions.ToEquatableArray(),
            diagnostics.ToEquatableArray());

        static string Text(UsingDirectiveSyntax directive) => directive.WithoutTrivia().NormalizeWhitespace().ToFullString();
    }

    /// <summary>Why the class cannot get generated members, or null; fills the enclosing type declarations.</summary>
    /// <summary>Whether the class and every type containing it are declared <c>partial</c>.</summary>
    private static bool IsPartialAllTheWay(ClassDeclarationSyntax declaration)
    {
        for (TypeDeclarationSyntax? type = declaration; type is not null; type = type.Parent as TypeDeclarationSyntax)
        {
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return false;
            }
        }

        return true;
    }

    private static string? ClassProblem(ClassDeclarationSyntax declaration, List<string> containing)
    {
        if (declaration.TypeParameterList is not null)
        {
            return "a [StreamingPipeline] class must not be generic";
        }

        for (var parent = declaration.Parent as TypeDeclarationSyntax; parent is not null; parent = parent.Parent as TypeDeclarationSyntax)
        {
            if (parent is not ClassDeclarationSyntax and not StructDeclarationSyntax || parent.TypeParameterList is not null)
            {
                return "a nested [StreamingPipeline] class must be nested only in non-generic classes or structs";
            }

            containing.Insert(0, "partial " + parent.Keyword.ValueText + " " + parent.Identifier.ValueText);
        }

        return null;
    }

    /// <summary>Whether <paramref name="type"/> is <c>Pipelines.DStream&lt;T&gt;</c>; gives T.</summary>
    internal static bool IsStream(ITypeSymbol? type, out ITypeSymbol element)
    {
        element = null!;
        if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
            && MetadataName(named.OriginalDefinition) == StreamMetadataName)
        {
            element = named.TypeArguments[0];
            return true;
        }

        return false;
    }

    /// <summary>Namespace-qualified metadata name (<c>Pipelines.DStream`1</c>).</summary>
    internal static string MetadataName(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace;
        var prefix = ns is null || ns.IsGlobalNamespace ? string.Empty : ns.ToDisplayString() + ".";
        return prefix + type.MetadataName;
    }

    internal static string Display(ITypeSymbol type) => type.ToDisplayString(TypeFormat);
}
