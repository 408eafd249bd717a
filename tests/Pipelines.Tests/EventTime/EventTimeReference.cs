namespace Pipelines.Tests.EventTime;

/// <summary>
/// A direct, offline statement of the event-time semantics, to compare the operators against: the watermark per batch,
/// which records are late, and for each window or session the batch in which it is complete.
/// </summary>
internal static class EventTimeReference
{
    /// <summary>The watermark (seconds) before and after each batch; <c>null</c> before any event.</summary>
    public static (int? Before, int? After)[] Watermarks(Reading[][] batches, int maxDelay)
    {
        var result = new (int?, int?)[batches.Length];
        int? watermark = null;
        int? max = null;
        for (var i = 0; i < batches.Length; i++)
        {
            var before = watermark;
            foreach (var record in batches[i])
            {
                max = max is { } m ? Math.Max(m, record.Second) : record.Second;
            }

            if (max is { } latest)
            {
                watermark = watermark is { } w ? Math.Max(w, latest - maxDelay) : latest - maxDelay;
            }

            result[i] = (before, watermark);
        }

        return result;
    }

    /// <summary>The on-time records with the batch they arrived in, and the number of late ones.</summary>
    public static (List<(Reading Record, int Batch)> OnTime, int Late) Split(Reading[][] batches, (int? Before, int? After)[] watermarks)
    {
        var onTime = new List<(Reading, int)>();
        var late = 0;
        for (var i = 0; i < batches.Length; i++)
        {
            foreach (var record in batches[i])
            {
                if (watermarks[i].Before is { } w && record.Second < w)
                {
                    late++;
                }
                else
                {
                    onTime.Add((record, i));
                }
            }
        }

        return (onTime, late);
    }

    /// <summary>Per batch, the keyed sums of the windows complete in it, as "[start,end) key=sum".</summary>
    public static List<string>[] SlidingSums(Reading[][] batches, int maxDelay, int window, int slide) =>
        SlidingSums(batches, Watermarks(batches, maxDelay), window, slide);

    /// <summary>Per batch, the keyed sums of the windows complete in it under the given watermarks (e.g. combined ones).</summary>
    public static List<string>[] SlidingSums(Reading[][] batches, (int? Before, int? After)[] watermarks, int window, int slide)
    {
        var (onTime, _) = Split(batches, watermarks);
        var windows = new Dictionary<(int Start, string Key), (int Sum, int FirstBatch)>();
        foreach (var (record, batch) in onTime)
        {
            var last = (int)Math.Floor(record.Second / (double)slide) * slide;
            for (var start = last; start > record.Second - window; start -= slide)
            {
                windows[(start, record.Key)] = windows.TryGetValue((start, record.Key), out var w) ? (w.Sum + record.Value, Math.Min(w.FirstBatch, batch)) : (record.Value, batch);
            }
        }

        var output = Enumerable.Range(0, batches.Length).Select(_ => new List<string>()).ToArray();
        foreach (var ((start, key), (sum, first)) in windows)
        {
            for (var i = first; i < batches.Length; i++)
            {
                if (watermarks[i].After is { } w && w >= start + window)
                {
                    output[i].Add(FormattableString.Invariant($"[{start},{start + window}) {key}={sum}"));
                    break;
                }
            }
        }

        return output;
    }

    /// <summary>Per batch, the keyed sums of the sessions complete in it, as "[start,end) key=sum".</summary>
    public static List<string>[] SessionSums(Reading[][] batches, int maxDelay, int gap)
    {
        var watermarks = Watermarks(batches, maxDelay);
        var (onTime, _) = Split(batches, watermarks);
        var output = Enumerable.Range(0, batches.Length).Select(_ => new List<string>()).ToArray();
        foreach (var group in onTime.GroupBy(r => r.Record.Key))
        {
            var sorted = group.OrderBy(r => r.Record.Second).ToList();
            var i = 0;
            while (i < sorted.Count)
            {
                var start = sorted[i].Record.Second;
                var last = start;
                var sum = 0;
                var arrived = 0;
                while (i < sorted.Count && sorted[i].Record.Second < last + gap)
                {
                    last = Math.Max(last, sorted[i].Record.Second);
                    sum += sorted[i].Record.Value;
                    arrived = Math.Max(arrived, sorted[i].Batch);
                    i++;
                }

                var end = last + gap;
                for (var b = arrived; b < batches.Length; b++)
                {
                    if (watermarks[b].After is { } w && w >= end)
                    {
                        output[b].Add(FormattableString.Invariant($"[{start},{end}) {group.Key}={sum}"));
                        break;
                    }
                }
            }
        }

        return output;
    }

    /// <summary>
    /// The watermark of a union of streams, before and after each batch: the minimum of the inputs' watermarks, leaving
    /// out an input that brought no record (a null or empty batch) in the last <paramref name="idleBatches"/> batches,
    /// held back by a non-idle input without a watermark, never going back; unchanged when every input is idle.
    /// </summary>
    public static (int? Before, int? After)[] CombinedWatermarks(Reading[]?[][] inputs, int[] maxDelays, int idleBatches)
    {
        var length = inputs.Max(i => i.Length);
        var own = inputs.Select((input, k) => Watermarks([.. Enumerable.Range(0, length).Select(b => b < input.Length ? input[b] ?? [] : [])], maxDelays[k])).ToArray();
        var lastActive = new int[inputs.Length];
        Array.Fill(lastActive, -1);
        var result = new (int?, int?)[length];
        int? watermark = null;
        for (var b = 0; b < length; b++)
        {
            var before = watermark;
            int? candidate = null;
            var live = 0;
            var waiting = false;
            for (var k = 0; k < inputs.Length; k++)
            {
                if (b < inputs[k].Length && inputs[k][b] is { Length: > 0 })
                {
                    lastActive[k] = b;
                }

                // Batch b is at time (b + 1) intervals; the context starts at 0 (an input never active counts from there).
                var since = lastActive[k] < 0 ? b + 1 : b - lastActive[k];
                if (since >= idleBatches)
                {
                    continue;
                }

                live++;
                if (own[k][b].After is { } after)
                {
                    candidate = candidate is { } c ? Math.Min(c, after) : after;
                }
                else
                {
                    waiting = true;
                }
            }

            if (live > 0 && !waiting && candidate is { } next && (watermark is not { } current || next > current))
            {
                watermark = next;
            }

            result[b] = (before, watermark);
        }

        return result;
    }

    /// <summary>A random out-of-order stream: event times drift forward with the batches, jittered back and forth.</summary>
    public static Reading[][] RandomStream(int seed, int batches)
    {
        var random = new Random(seed);
        string[] keys = ["a", "b", "c"];
        return Enumerable.Range(0, batches)
            .Select(b => Enumerable.Range(0, random.Next(0, 7))
                .Select(_ => new Reading(keys[random.Next(keys.Length)], random.Next(1, 10), Math.Max(0, (2 * b) + random.Next(-9, 5))))
                .ToArray())
            .ToArray();
    }
}
