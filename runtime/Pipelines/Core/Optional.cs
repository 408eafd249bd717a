namespace Pipelines;

/// <summary>
/// A value that may be absent (Spark's <c>Optional</c> in its Java API). Used by outer joins and by keyed
/// state, where <c>null</c> cannot tell "no value" from "a null value" for every type.
/// </summary>
/// <typeparam name="T">The type of the value.</typeparam>
public readonly record struct Optional<T>
{
    private readonly T _value;

    /// <summary>Creates an optional holding <paramref name="value"/>.</summary>
    public Optional(T value)
    {
        _value = value;
        HasValue = true;
    }

    /// <summary>The empty optional.</summary>
    public static Optional<T> None => default;

    /// <summary>Whether a value is present.</summary>
    public bool HasValue { get; }

    /// <summary>The value.</summary>
    /// <exception cref="InvalidOperationException">No value is present; check <see cref="HasValue"/> first.</exception>
    public T Value => HasValue ? _value : throw new InvalidOperationException("The optional has no value; check HasValue or use GetValueOrDefault.");

    /// <summary>The value, or <paramref name="defaultValue"/> when absent.</summary>
    public T GetValueOrDefault(T defaultValue) => HasValue ? _value : defaultValue;

    /// <summary>Wraps a value.</summary>
    public static implicit operator Optional<T>(T value) => new(value);

    /// <summary><c>Some(value)</c> or <c>None</c>, as Spark prints it.</summary>
    public override string ToString() => HasValue ? $"Some({_value})" : "None";
}

/// <summary>Factory methods for <see cref="Optional{T}"/>.</summary>
public static class Optional
{
    /// <summary>An optional holding <paramref name="value"/>.</summary>
    public static Optional<T> Of<T>(T value) => new(value);

    /// <summary>The empty optional of <typeparamref name="T"/>.</summary>
    public static Optional<T> Empty<T>() => default;
}
