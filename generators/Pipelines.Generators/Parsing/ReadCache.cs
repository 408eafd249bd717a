using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Parsing;

/// <summary>
/// Keeps each class's <see cref="ClassModel"/> across generator runs, so the semantic read (binding every
/// <c>Define…</c> body, the generator's whole cost) runs again only for a class whose file changed, or when something
/// it could bind to changed: a declaration anywhere in the compilation (types, members, signatures, constants,
/// usings), a reference, or the compilation options. An edit inside a method body of another file changes none of
/// these, and that is what an IDE sends on almost every keystroke.
/// </summary>
/// <remarks>
/// <para>
/// Why a cache and not only the incremental pipeline: <c>ForAttributeWithMetadataName</c> runs its transform for
/// every attributed class whenever the compilation changes (it hands the transform a semantic model of the new
/// compilation), so the pipeline's own caching starts only after the expensive read. The key here covers what the
/// read depends on outside the class's own file, computed cheaply: per file, a hash of its tokens outside member
/// bodies (kept per syntax tree, so only edited files are hashed again), combined per compilation with its
/// references and options.
/// </para>
/// <para>
/// Entries are held weakly by syntax tree and compilation: an edited file's old tree, and with it its models, is
/// collected as usual. The models are plain data (no symbol, node or compilation), as everywhere in the pipeline.
/// </para>
/// </remarks>
internal sealed class ReadCache
{
    private readonly ConditionalWeakTable<SyntaxTree, TreeEntries> _models = new();
    private readonly ConditionalWeakTable<SyntaxTree, StrongBox<ulong>> _shapes = new();
    private readonly ConditionalWeakTable<Microsoft.CodeAnalysis.Compilation, StrongBox<ulong>> _environments = new();

    /// <summary>How many classes were read (not reused) since this cache was created; for tests.</summary>
    public int Reads => Volatile.Read(ref _reads);

    private int _reads;

    /// <summary>The model of the attributed class: reused when its tree and the environment are unchanged, else read.</summary>
    public ClassModel Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var tree = context.TargetNode.SyntaxTree;
        var environment = Environment(context.SemanticModel.Compilation, cancellationToken);
        var entries = _models.GetValue(tree, static _ => new TreeEntries());
        var position = context.TargetNode.SpanStart;
        lock (entries)
        {
            if (entries.TryGetValue(position, out var cached) && cached.Environment == environment)
            {
                return cached.Model;
            }
        }

        var model = Parser.Parse(context, cancellationToken);
        Interlocked.Increment(ref _reads);
        lock (entries)
        {
            entries[position] = new Entry(environment, model);
        }

        return model;
    }

    /// <summary>Everything outside a class's own file that its read can depend on, as one hash per compilation.</summary>
    private ulong Environment(Microsoft.CodeAnalysis.Compilation compilation, CancellationToken cancellationToken)
    {
        if (_environments.TryGetValue(compilation, out var known))
        {
            return known.Value;
        }

        var hash = DeclarationShape.OffsetBasis;
        hash = DeclarationShape.Add(hash, compilation.AssemblyName ?? string.Empty);
        var options = compilation.Options;
        hash = DeclarationShape.Add(hash, (int)options.NullableContextOptions);
        hash = DeclarationShape.Add(hash, (int)options.OutputKind);
        hash = DeclarationShape.Add(hash, options.CheckOverflow ? 1 : 0);
        hash = DeclarationShape.Add(hash, (int)options.MetadataImportOptions);
        foreach (var reference in compilation.References)
        {
            // By identity: a rebuilt reference is a new object, even at the same path.
            hash = DeclarationShape.Add(hash, (reference as PortableExecutableReference)?.FilePath ?? string.Empty);
            hash = DeclarationShape.Add(hash, RuntimeHelpers.GetHashCode(reference));
        }

        foreach (var tree in compilation.SyntaxTrees)
        {
            cancellationToken.ThrowIfCancellationRequested();
            hash = DeclarationShape.Add(hash, tree.FilePath);
            hash = DeclarationShape.Add(hash, Shape(tree, cancellationToken));
        }

        return _environments.GetValue(compilation, _ => new StrongBox<ulong>(hash)).Value;
    }

    private ulong Shape(SyntaxTree tree, CancellationToken cancellationToken)
    {
        if (_shapes.TryGetValue(tree, out var known))
        {
            return known.Value;
        }

        var shape = DeclarationShape.Of(tree.GetRoot(cancellationToken));
        return _shapes.GetValue(tree, _ => new StrongBox<ulong>(shape)).Value;
    }

    private sealed class TreeEntries : Dictionary<int, Entry>;

    private readonly record struct Entry(ulong Environment, ClassModel Model);
}

/// <summary>
/// A file's declarations as a hash: FNV-1a 64 over its tokens, skipping the bodies of methods, constructors,
/// operators, accessors and local functions and the statements of top-level code. What those bodies contain cannot
/// change how code in another file binds; everything else (types, members, signatures, attributes, constants and
/// field initializers, usings) is included.
/// </summary>
internal static class DeclarationShape
{
    public const ulong OffsetBasis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static ulong Of(SyntaxNode root)
    {
        var hash = OffsetBasis;
        foreach (var token in root.DescendantTokens(static node => !IsBody(node)))
        {
            hash = Add(hash, token.RawKind);
            hash = Add(hash, token.Text);
        }

        return hash;
    }

    /// <summary>A member body or top-level statement: its tokens do not count.</summary>
    private static bool IsBody(SyntaxNode node) =>
        node switch
        {
            BlockSyntax or ArrowExpressionClauseSyntax => node.Parent is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax
                or LocalFunctionStatementSyntax or PropertyDeclarationSyntax or IndexerDeclarationSyntax,
            StatementSyntax => node.Parent is GlobalStatementSyntax,
            _ => false,
        };

    public static ulong Add(ulong hash, string text)
    {
        foreach (var c in text)
        {
            hash = Add(hash, (int)c);
        }

        return Add(hash, 0);
    }

    public static ulong Add(ulong hash, ulong value)
    {
        for (var i = 0; i < 8; i++)
        {
            hash ^= (byte)(value >> (8 * i));
            hash = unchecked(hash * Prime);
        }

        return hash;
    }

    public static ulong Add(ulong hash, int value) => Add(hash, unchecked((ulong)(uint)value));
}
