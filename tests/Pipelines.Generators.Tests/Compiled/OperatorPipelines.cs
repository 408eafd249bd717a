namespace Pipelines.Generators.Tests.Compiled;

/// <summary>One definition per compiled operator (and a few chains), for the differential tests.</summary>
[StreamingPipeline]
public static partial class OperatorPipelines
{
    private const int Modulus = 7;

    private static bool IsSmall(int value) => value < 50;

    public static DStream<int> DefineMap(DStream<int> numbers) => numbers.Map(n => n * 3 - 1);

    public static DStream<long> DefineMapWidening(DStream<int> numbers) => numbers.Map<long>(n => n);

    public static DStream<int> DefineMethodGroups(DStream<int> numbers) => numbers.Filter(IsSmall).Map(Math.Abs);

    public static DStream<int> DefineDivide(DStream<int> numbers) => numbers.Map(n => 60 / n);

    public static DStream<int> DefineFilter(DStream<int> numbers) => numbers.Filter(n => n % 2 == 0);

    public static DStream<int> DefineFlatMap(DStream<int> numbers) => numbers.FlatMap(n => new[] { n, -n, n % Modulus });

    public static DStream<int> DefineFlatMapCollectionExpression(DStream<int> numbers) => numbers.FlatMap<int>(n => [n, n + 1]);

    public static DStream<(int Key, int Value)> DefineMapValues(DStream<(int Key, int Value)> pairs) => pairs.MapValues(v => v * 10);

    public static DStream<(int Key, int Value)> DefineFlatMapValues(DStream<(int Key, int Value)> pairs) =>
        pairs.FlatMapValues(v => Enumerable.Range(0, Math.Abs(v) % 3));

    public static DStream<(int Key, int Value)> DefineReduceByKey(DStream<(int Key, int Value)> pairs) => pairs.ReduceByKey((a, b) => a + b);

    public static DStream<(int Key, int Value)> DefineNamedArguments(DStream<(int Key, int Value)> pairs) =>
        pairs.ReduceByKey(reducer: (a, b) => a + b).Filter(predicate: p => p.Value % 3 != 0);

    public static DStream<(int Value, long Count)> DefineCountByValue(DStream<int> numbers) => numbers.Map(n => n % Modulus).CountByValue();

    public static DStream<long> DefineCount(DStream<int> numbers) => numbers.Filter(n => n > 0).Count();

    public static DStream<int> DefineReduce(DStream<int> numbers) => numbers.Reduce((a, b) => a * 31 + b);

    public static DStream<(int Key, string Value)> DefineCombineByKey(DStream<(int Key, int Value)> pairs) =>
        pairs.CombineByKey(v => "<" + v, (c, v) => c + "," + v, (c1, c2) => c1 + "|" + c2);

    public static DStream<(int Key, IReadOnlyList<int> Values)> DefineGroupByKey(DStream<(int Key, int Value)> pairs) => pairs.GroupByKey();

    public static DStream<(int Key, (int Left, string Right) Value)> DefineJoin(DStream<(int Key, int Value)> left, DStream<(int Key, string Value)> right) =>
        left.Join(right);

    public static DStream<(int Key, (int Left, Optional<string> Right) Value)> DefineLeftOuterJoin(DStream<(int Key, int Value)> left, DStream<(int Key, string Value)> right) =>
        left.LeftOuterJoin(right);

    public static DStream<(int Key, (Optional<int> Left, string Right) Value)> DefineRightOuterJoin(DStream<(int Key, int Value)> left, DStream<(int Key, string Value)> right) =>
        left.RightOuterJoin(right);

    public static DStream<(int Key, (Optional<int> Left, Optional<string> Right) Value)> DefineFullOuterJoin(DStream<(int Key, int Value)> left, DStream<(int Key, string Value)> right) =>
        left.FullOuterJoin(right);

    public static DStream<(int Key, (IReadOnlyList<int> Left, IReadOnlyList<string> Right) Value)> DefineCoGroup(DStream<(int Key, int Value)> left, DStream<(int Key, string Value)> right) =>
        left.CoGroup(right);

    /// <summary>Map, filter, reduce by key, then narrow operators after the shuffle.</summary>
    public static DStream<(int Key, int Value)> DefineMapFilterReduce(DStream<int> numbers) =>
        numbers.Map(n => (n % 10, n))
               .Filter(pair => IsSmall(pair.Item2))
               .ReduceByKey((a, b) => a + b)
               .Filter(total => total.Value > 3)
               .MapValues(v => v * 2);

    /// <summary>Both sides transformed before an outer join, a shuffle after it.</summary>
    public static DStream<(int Key, int Value)> DefineJoinThenReduce(DStream<int> left, DStream<string> right) =>
        left.Map(n => (n % 5, n))
            .FullOuterJoin(right.Map(s => (s.Length % 5, s)))
            .MapValues(v => (v.Left.HasValue ? v.Left.Value : 0) + (v.Right.HasValue ? v.Right.Value.Length : 0))
            .ReduceByKey((a, b) => a + b);

    /// <summary>Block lambdas become static local functions.</summary>
    public static DStream<string> DefineBlockLambdas(DStream<int> numbers) =>
        numbers.Filter(n =>
        {
            var r = n % 3;
            return r != 1;
        })
        .Map(n =>
        {
            if (n < 0)
            {
                return "neg" + n;
            }

            return "pos" + n;
        });

    /// <summary>Two shuffles in one definition: count per key, then count the counts.</summary>
    public static DStream<(int Value, long Count)> DefineTwoShuffles(DStream<(int Key, int Value)> pairs) =>
        pairs.ReduceByKey((a, b) => a + b).Map(p => p.Value % 3).CountByValue();

    /// <summary>Nullable reference values through a reduce.</summary>
    public static DStream<(string Key, string? Value)> DefineNullable(DStream<(string Key, string? Value)> pairs) =>
        pairs.ReduceByKey((a, b) => a is null ? b : b is null ? a : (a.Length >= b.Length ? a : b));

    /// <summary>Self join of one input: both sides read the same batch.</summary>
    public static DStream<(int Key, (int Left, int Right) Value)> DefineSelfJoin(DStream<(int Key, int Value)> pairs) =>
        pairs.Filter(p => p.Value % 2 == 0).Join(pairs);
}
