namespace Pipelines;

/// <summary>
/// Marks a <c>partial</c> class whose public static <c>Define…</c> methods are pipeline definitions. For each
/// definition the Pipelines source generator emits a <c>Compile…</c> method with the same parameters and return
/// type, whose batches run through fused, generated loops instead of the interpreted delegate chain.
/// </summary>
/// <example>
/// <code>
/// [StreamingPipeline]
/// public static partial class WordCount
/// {
///     public static DStream&lt;(string Word, int Count)&gt; Define(DStream&lt;string&gt; lines) =&gt;
///         lines.FlatMap(line =&gt; line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
///              .Map(word =&gt; (word, 1))
///              .ReduceByKey((a, b) =&gt; a + b);
/// }
///
/// var counts = WordCount.Compile(lines); // generated
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class StreamingPipelineAttribute : Attribute
{
}
