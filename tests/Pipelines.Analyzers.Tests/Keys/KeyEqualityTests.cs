using Pipelines.Analyzers.CodeFixes;
using Verifier = Pipelines.Analyzers.Tests.Infrastructure.Verify<Pipelines.Analyzers.Keys.KeyEqualityAnalyzer>;

namespace Pipelines.Analyzers.Tests.Keys;

public class KeyEqualityTests
{
    [Fact]
    public Task Class_key_without_equality_is_reported_at_the_keyed_operator() =>
        Verifier.AnalyzerAsync("""
            using Pipelines;

            public class {|#1:Customer|}
            {
                public string Name { get; set; } = "";
            }

            public static class Job
            {
                public static DStream<(Customer Key, int Value)> Define(DStream<(Customer Key, int Value)> orders) =>
                    orders.{|#0:ReduceByKey|}((a, b) => a + b);
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.KeyWithoutValueEquality)
                .WithLocation(0).WithLocation(1).WithArguments("ReduceByKey", "Customer", "is a class that overrides neither Equals nor GetHashCode"));

    [Fact]
    public Task Array_and_tuple_keys_joins_state_windows_and_counts_by_value_are_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using System.Text;
            using Pipelines;

            public static class Job
            {
                public static void Run(DStream<(int[] Key, int Value)> byArray, DStream<((string, StringBuilder) Key, int Value)> byTuple, DStream<byte[]> blobs)
                {
                    byArray.{|#0:GroupByKey|}().Print();
                    byArray.{|PIPE008:Join|}(byArray).Print();
                    byArray.{|PIPE008:ReduceByKeyAndWindow|}((a, b) => a + b, TimeSpan.FromSeconds(2)).Print();
                    byArray.{|PIPE008:UpdateStateByKey|}<int[], int, int>((values, state) => values.Count).Print();
                    byArray.{|PIPE008:MapWithState|}(StateSpec.Function((int[] key, Optional<int> value, State<int> state) => key.Length)).Print();
                    byArray.{|PIPE008:GroupByKeyAndWindow|}(TimeSpan.FromSeconds(2)).Print();
                    byTuple.{|#1:CoGroup|}(byTuple).Print();
                    blobs.{|PIPE008:CountByValue|}().Print();
                    byArray.MapValues(v => v + 1).Print();
                }
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.KeyWithoutValueEquality).WithLocation(0).WithArguments("GroupByKey", "int[]", "is an array"),
            Verifier.Diagnostic(DiagnosticDescriptors.KeyWithoutValueEquality).WithLocation(1).WithArguments(
                "CoGroup", "(string, StringBuilder)", "holds 'StringBuilder', which is a class that overrides neither Equals nor GetHashCode"));

    [Fact]
    public Task Keys_with_value_equality_are_not_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using Pipelines;

            public record Sku(string Code);

            public readonly struct Point
            {
                public Point(int x) => X = x;
                public int X { get; }
            }

            public class Named
            {
                public string Name { get; init; } = "";
                public override bool Equals(object? obj) => obj is Named other && other.Name == Name;
                public override int GetHashCode() => Name.GetHashCode();
            }

            public class DerivedNamed : Named { }

            public static class Job
            {
                public static void Run<TKey>(
                    DStream<(string Key, int Value)> byString, DStream<(Sku Key, int Value)> bySku, DStream<(Point Key, int Value)> byPoint,
                    DStream<(DerivedNamed Key, int Value)> byNamed, DStream<((int, string) Key, int Value)> byTuple, DStream<(Uri Key, int Value)> byUri,
                    DStream<(TKey Key, int Value)> generic, DStream<(object Key, int Value)> byObject)
                    where TKey : notnull
                {
                    byString.ReduceByKey((a, b) => a + b).Print();
                    bySku.GroupByKey().Print();
                    byPoint.ReduceByKey((a, b) => a + b).Print();
                    byNamed.ReduceByKey((a, b) => a + b).Print();
                    byTuple.ReduceByKey((a, b) => a + b).Print();
                    byUri.ReduceByKey((a, b) => a + b).Print();
                    generic.ReduceByKey((a, b) => a + b).Print();
                    byObject.ReduceByKey((a, b) => a + b).Print();
                }
            }
            """);

    [Fact]
    public Task Code_fix_turns_the_key_class_into_a_record() =>
        Verifier.CodeFixAsync<ClassToRecordCodeFix>(
            """
            using Pipelines;

            public sealed class Customer
            {
                public string Name { get; init; } = "";
                public int Region { get; init; }
            }

            public static class Job
            {
                public static DStream<(Customer Key, int Value)> Define(DStream<(Customer Key, int Value)> orders) =>
                    orders.{|PIPE008:ReduceByKey|}((a, b) => a + b);
            }
            """,
            """
            using Pipelines;

            public sealed record Customer
            {
                public string Name { get; init; } = "";
                public int Region { get; init; }
            }

            public static class Job
            {
                public static DStream<(Customer Key, int Value)> Define(DStream<(Customer Key, int Value)> orders) =>
                    orders.ReduceByKey((a, b) => a + b);
            }
            """);

    [Fact]
    public Task Code_fix_is_not_offered_when_a_record_would_break_the_code() =>
        Verifier.NoCodeFixAsync<ClassToRecordCodeFix>("""
            using System.Text;
            using Pipelines;

            public class Base { }

            public class Derived : Base { }

            public class HasSubclass { }

            public class Subclass : HasSubclass { }

            public class Comparable : System.IEquatable<Comparable>
            {
                public bool Equals(Comparable? other) => other is not null;
            }

            public static class Job
            {
                public static void Run(
                    DStream<(Derived Key, int Value)> a, DStream<(HasSubclass Key, int Value)> b,
                    DStream<(StringBuilder Key, int Value)> c, DStream<(Comparable Key, int Value)> d)
                {
                    a.{|PIPE008:ReduceByKey|}((x, y) => x + y).Print();
                    b.{|PIPE008:ReduceByKey|}((x, y) => x + y).Print();
                    c.{|PIPE008:ReduceByKey|}((x, y) => x + y).Print();
                    d.{|PIPE008:ReduceByKey|}((x, y) => x + y).Print();
                }
            }
            """);
}
