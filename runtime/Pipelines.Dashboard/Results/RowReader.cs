using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Pipelines.Dashboard.Results;

/// <summary>Turns records into table rows: each cell is a <see cref="double"/> (numbers) or a string.</summary>
internal sealed class RowReader<T>
{
    private readonly PropertyInfo[]? _properties;

    public RowReader(IReadOnlyList<string>? columns)
    {
        var type = typeof(T);
        string[] defaults;
        if (IsScalar(type))
        {
            defaults = ["Value"];
        }
        else if (typeof(ITuple).IsAssignableFrom(type))
        {
            var arity = type.IsGenericType ? type.GetGenericArguments().Length : 1;
            defaults = arity == 2 ? ["Key", "Value"] : [.. Enumerable.Range(1, arity).Select(i => "Item" + i.ToString(CultureInfo.InvariantCulture))];
        }
        else
        {
            _properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray();
            defaults = [.. _properties.Select(p => p.Name)];
        }

        Columns = columns is { Count: > 0 } ? [.. columns] : defaults;
    }

    public IReadOnlyList<string> Columns { get; }

    public List<object?[]> Read(Batch<T> batch)
    {
        var rows = new List<object?[]>(batch.Count);
        foreach (var record in batch.Span)
        {
            rows.Add(ReadRow(record));
        }

        return rows;
    }

    private object?[] ReadRow(T record)
    {
        if (record is null)
        {
            return [null];
        }

        if (_properties is not null)
        {
            var cells = new object?[_properties.Length];
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = Cell(_properties[i].GetValue(record));
            }

            return cells;
        }

        if (record is ITuple tuple && !IsScalar(typeof(T)))
        {
            var cells = new object?[tuple.Length];
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = Cell(tuple[i]);
            }

            return cells;
        }

        return [Cell(record)];
    }

    private static object? Cell(object? value) => value switch
    {
        null => null,
        double d => double.IsFinite(d) ? d : d.ToString(CultureInfo.InvariantCulture),
        float f => float.IsFinite(f) ? (double)f : f.ToString(CultureInfo.InvariantCulture),
        byte or sbyte or short or ushort or int or uint or long or ulong or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
        || type == typeof(TimeSpan) || type == typeof(Guid) || type == typeof(BatchTime) || type.IsEnum;
}
