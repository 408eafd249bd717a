using System.Reflection;
using BenchmarkDotNet.Attributes;
using Pipelines.Benchmarks.Join;
using Pipelines.Benchmarks.MapFilterSum;
using Pipelines.Benchmarks.State;
using Pipelines.Benchmarks.Windows;
using Pipelines.Benchmarks.WordCount;

namespace Pipelines.Benchmarks.Tests;

/// <summary>
/// Each workload's setup runs every contender once on the full deterministic data and throws unless all agree;
/// then every <c>[Benchmark]</c> method runs once and must return the agreed result (the steady-state benchmarks'
/// first run starts from a fresh context, so it must agree too).
/// </summary>
public sealed class WorkloadAgreementTests
{
    [Fact]
    public void W1_map_filter_sum_every_contender_agrees_and_every_benchmark_returns_the_agreed_sum()
    {
        using var benchmarks = new MapFilterSumBenchmarks();
        benchmarks.Setup();
        Assert.Equal(ExpectedMapFilterSum(), benchmarks.Expected);
        AssertEveryBenchmarkReturns(benchmarks, benchmarks.Expected);
    }

    [Fact]
    public void W2_word_count_every_contender_agrees_and_every_benchmark_returns_the_distinct_word_count()
    {
        using var benchmarks = new WordCountBenchmarks();
        benchmarks.Setup();
        Assert.InRange(benchmarks.Expected, 10_000, 20_000);
        AssertEveryBenchmarkReturns(benchmarks, benchmarks.Expected);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(60)]
    public void W3_windowed_counts_every_contender_agrees(int window)
    {
        using var benchmarks = new WindowedCountBenchmarks { Window = window };
        benchmarks.Setup();
        AssertEveryBenchmarkReturns(benchmarks, benchmarks.Expected);
    }

    [Fact]
    public void W3_window_10_and_window_60_give_different_outputs()
    {
        using var small = new WindowedCountBenchmarks { Window = 10 };
        using var large = new WindowedCountBenchmarks { Window = 60 };
        small.Setup();
        large.Setup();
        Assert.NotEqual(small.Expected, large.Expected);
    }

    [Fact]
    public void W4_join_every_contender_agrees_and_every_benchmark_returns_the_agreed_sum()
    {
        using var benchmarks = new JoinBenchmarks();
        benchmarks.Setup();
        Assert.True(benchmarks.Expected > 0);
        AssertEveryBenchmarkReturns(benchmarks, benchmarks.Expected);
    }

    [Fact]
    public void W5_running_count_every_contender_agrees()
    {
        using var benchmarks = new RunningCountBenchmarks();
        benchmarks.Setup();
        AssertEveryBenchmarkReturns(benchmarks, benchmarks.Expected);
    }

    /// <summary>The W1 sum computed independently of every contender, from the data's definition.</summary>
    private static long ExpectedMapFilterSum()
    {
        long sum = 0;
        foreach (var x in Data.BenchmarkData.Integers(MapFilterSumBenchmarks.Count))
        {
            sum += (x * 3L) % 2 == 0 ? x * 3L : 0;
        }

        return sum;
    }

    private static void AssertEveryBenchmarkReturns<T>(object benchmarks, T expected)
    {
        var methods = benchmarks.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null)
            .ToArray();
        Assert.NotEmpty(methods);
        Assert.Single(methods, m => m.GetCustomAttribute<BenchmarkAttribute>()!.Baseline);
        foreach (var method in methods)
        {
            var actual = method.Invoke(benchmarks, null);
            Assert.True(Equals(expected, actual), $"{method.Name} returned {actual}, expected {expected}.");
        }
    }
}
