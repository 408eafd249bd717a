using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Runtime.InteropServices;
using ZLinq;

namespace Pipelines.Benchmarks.WordCount;

/// <summary>W2 written by hand (the <c>Split</c> loop) and with each peer library.</summary>
public static class WordCountLoops
{
    /// <summary>The everyday hand loop: <c>string.Split</c> and a dictionary per batch.</summary>
    public static Dictionary<string, int> SplitLoop(string[] lines)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            foreach (var word in line.Split(' '))
            {
                CollectionsMarshal.GetValueRefOrAddDefault(counts, word, out _)++;
            }
        }

        return counts;
    }

    /// <summary>System.Linq with .NET 9's <c>CountBy</c>.</summary>
    public static Dictionary<string, int> Linq(string[] lines) =>
        lines.SelectMany(line => line.Split(' ')).CountBy(word => word, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);

    /// <summary>ZLinq with its <c>CountBy</c>.</summary>
    public static Dictionary<string, int> ZLinq(string[] lines) =>
        lines.AsValueEnumerable().SelectMany(line => line.Split(' ')).CountBy(word => word, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);

    /// <summary>Rx.NET fed by <c>ToObservable</c>, counting into a dictionary with <c>Aggregate</c>.</summary>
    public static Dictionary<string, int> RxToObservable(string[] lines) => RxCount(lines.ToObservable());

    /// <summary>Rx.NET fed by a plain loop inside <c>Observable.Create</c>.</summary>
    public static Dictionary<string, int> RxCreate(string[] lines) =>
        RxCount(Observable.Create<string>(observer =>
        {
            foreach (var line in lines)
            {
                observer.OnNext(line);
            }

            observer.OnCompleted();
            return Disposable.Empty;
        }));

    private static Dictionary<string, int> RxCount(IObservable<string> lines)
    {
        Dictionary<string, int>? result = null;
        var counted = lines
            .SelectMany(line => line.Split(' '))
            .Aggregate(new Dictionary<string, int>(StringComparer.Ordinal), static (counts, word) =>
            {
                CollectionsMarshal.GetValueRefOrAddDefault(counts, word, out _)++;
                return counts;
            });
        using (counted.Subscribe(counts => result = counts))
        {
        }

        return result ?? throw new InvalidOperationException("The Rx pipeline did not complete synchronously.");
    }
}
