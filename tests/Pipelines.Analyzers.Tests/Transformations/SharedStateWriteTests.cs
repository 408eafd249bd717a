using Verifier = Pipelines.Analyzers.Tests.Infrastructure.Verify<Pipelines.Analyzers.Transformations.SharedStateWriteAnalyzer>;

namespace Pipelines.Analyzers.Tests.Transformations;

public class SharedStateWriteTests
{
    [Fact]
    public Task Writes_to_captured_locals_fields_and_collections_in_transformations_are_reported() =>
        Verifier.AnalyzerAsync("""
            using System.Collections.Generic;
            using System.Text;
            using Pipelines;

            public sealed class Job
            {
                private static int _seenStatic;
                private int _seen;
                private readonly Dictionary<string, int> _byWord = new();
                private static readonly List<string> Log = new();

                public void Run(DStream<string> lines, int[] totals)
                {
                    var count = 0;
                    var words = new List<string>();
                    var text = new StringBuilder();
                    lines.Map(l => { {|#0:count++|}; return l; }).Print();
                    lines.Filter(l => { {|PIPE012:_seenStatic += l.Length|}; return true; }).Print();
                    lines.Map(l => { {|PIPE012:_seen = l.Length|}; return l; }).Print();
                    lines.FlatMap(l => { {|#1:words.Add(l)|}; return l.Split(' '); }).Print();
                    lines.Map(l => { {|PIPE012:_byWord[l] = 1|}; return l; }).Print();
                    lines.Map(l => { {|PIPE012:Log.Add(l)|}; return l; }).Print();
                    lines.Map(l => { {|PIPE012:totals[0]++|}; return l; }).Print();
                    lines.Map(l => { {|PIPE012:text.Append(l)|}; return l; }).Print();
                    lines.Map(l => (l, 1)).ReduceByKey((a, b) => { {|PIPE012:count = a|}; return a + b; }).Print();
                }
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.SharedStateWrite).WithLocation(0).WithArguments("count"),
            Verifier.Diagnostic(DiagnosticDescriptors.SharedStateWrite).WithLocation(1).WithArguments("words.Add"));

    [Fact]
    public Task Own_locals_locks_Interlocked_concurrent_collections_Transform_and_outputs_are_not_reported() =>
        Verifier.AnalyzerAsync("""
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using Pipelines;

            public static class Job
            {
                private static long _total;

                public sealed record Box
                {
                    public int Value { get; init; }

                    public string Name { get; set; } = "";
                }

                private static readonly object Gate = new();

                public static void Run(DStream<string> lines)
                {
                    var count = 0;
                    var seen = new ConcurrentDictionary<string, int>();
                    var list = new List<string>();
                    lines.Map(l => { var own = new List<string>(); own.Add(l); var n = 0; n++; return own.Count + n; }).Print();
                    lines.Map(l => { Interlocked.Increment(ref _total); return l; }).Print();
                    lines.Map(l => { lock (Gate) { count++; list.Add(l); } return l; }).Print();
                    lines.Map(l => { seen[l] = 1; seen.TryAdd(l, 2); return l; }).Print();
                    lines.Map(l => l.Split(' ').Select(w => { var c = 0; c++; return w + c; }).ToList()).Print();
                    lines.Map(l => new Box { Value = l.Length, Name = l }).Map(b => b with { Value = b.Value + 1 }).Print();
                    lines.Transform(batch => { count++; list.Add("batch"); return batch; }).Print();
                    lines.ForEachBatch((batch, time) => { count++; list.AddRange(batch); });
                    count++;
                    list.Add("outside");
                }
            }
            """);
}
