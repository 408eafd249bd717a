namespace Pipelines.Tests.EventTime;

/// <summary>Event-time test records: a key, a value and an event time in whole seconds after the Unix epoch.</summary>
internal readonly record struct Reading(string Key, int Value, int Second)
{
    public DateTimeOffset Time => DateTimeOffset.UnixEpoch.AddSeconds(Second);

    public static Reading Parse(string text)
    {
        // "key@second" or "key@second=value"
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        var second = int.Parse(eq < 0 ? text[(at + 1)..] : text[(at + 1)..eq], System.Globalization.CultureInfo.InvariantCulture);
        var value = eq < 0 ? 1 : int.Parse(text[(eq + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return new Reading(text[..at], value, second);
    }
}

internal static class EventTimeTestData
{
    public static DateTimeOffset At(int second) => DateTimeOffset.UnixEpoch.AddSeconds(second);

    public static Reading R(string key, int second, int value = 1) => new(key, value, second);

    public static string Show<TKey, TValue>(EventWindow<TKey, TValue> w) =>
        FormattableString.Invariant($"[{(w.Start - DateTimeOffset.UnixEpoch).TotalSeconds},{(w.End - DateTimeOffset.UnixEpoch).TotalSeconds}) {w.Key}={w.Value}{(w.IsFinal ? string.Empty : " early")}");

    public static string Show<TValue>(EventWindow<TValue> w) =>
        FormattableString.Invariant($"[{(w.Start - DateTimeOffset.UnixEpoch).TotalSeconds},{(w.End - DateTimeOffset.UnixEpoch).TotalSeconds}) {w.Value}{(w.IsFinal ? string.Empty : " early")}");

    public static string[][] Canonical(IEnumerable<IEnumerable<string>> batches) =>
        batches.Select(b => b.Order(StringComparer.Ordinal).ToArray()).ToArray();
}
