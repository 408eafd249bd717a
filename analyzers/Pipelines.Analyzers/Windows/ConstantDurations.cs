using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Pipelines.Analyzers.Runtime;

namespace Pipelines.Analyzers.Windows;

/// <summary>
/// Evaluates <c>TimeSpan</c> expressions that are constant in the source: <c>TimeSpan.FromSeconds(3)</c>,
/// <c>new TimeSpan(0, 0, 3)</c>, <c>TimeSpan.Zero</c>, sums and multiples of those, and locals initialized with
/// one and never reassigned. Anything else is unknown (null), and the analyzers then say nothing.
/// </summary>
internal static class ConstantDurations
{
    private const long TicksPerMicrosecond = 10;
    private const long TicksPerMillisecond = 10_000;
    private const long TicksPerSecond = 10_000_000;
    private const long TicksPerMinute = 60 * TicksPerSecond;
    private const long TicksPerHour = 60 * TicksPerMinute;
    private const long TicksPerDay = 24 * TicksPerHour;
    private const int MaxDepth = 8;

    /// <summary>The value in ticks, or null when it is not known at compile time.</summary>
    public static long? TryGetTicks(IOperation? operation, PipelinesSymbols symbols, CancellationToken cancellationToken) =>
        Evaluate(operation, symbols, cancellationToken, depth: 0);

    /// <summary>Formats ticks as the runtime prints durations ("3000 ms").</summary>
    public static string Format(long ticks) =>
        ticks % TicksPerMillisecond == 0
            ? (ticks / TicksPerMillisecond).ToString(System.Globalization.CultureInfo.InvariantCulture) + " ms"
            : ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ticks";

    private static long? Evaluate(IOperation? operation, PipelinesSymbols symbols, CancellationToken cancellationToken, int depth)
    {
        operation = PipelinesSymbols.WalkDownConversions(operation);
        if (operation is null || depth > MaxDepth)
        {
            return null;
        }

        switch (operation)
        {
            case IInvocationOperation { TargetMethod.IsStatic: true } invocation when symbols.IsTimeSpan(invocation.TargetMethod.ContainingType):
                return FromFactory(invocation);
            case IObjectCreationOperation creation when symbols.IsTimeSpan(creation.Type):
                return FromArguments(creation.Arguments, unitOfUnnamed: 1);
            case IFieldReferenceOperation { Field: { IsStatic: true, Name: "Zero" } field } when symbols.IsTimeSpan(field.ContainingType):
                return 0;
            case ILocalReferenceOperation local when symbols.IsTimeSpan(local.Type) && operation.SemanticModel is { } model:
                return Evaluate(LocalValues.SingleValue(local.Local, model, cancellationToken), symbols, cancellationToken, depth + 1);
            case IBinaryOperation binary when symbols.IsTimeSpan(binary.Type):
                return FromBinary(binary, symbols, cancellationToken, depth);
            default:
                return null;
        }
    }

    private static long? FromFactory(IInvocationOperation invocation)
    {
        var unit = invocation.TargetMethod.Name switch
        {
            "FromDays" => TicksPerDay,
            "FromHours" => TicksPerHour,
            "FromMinutes" => TicksPerMinute,
            "FromSeconds" => TicksPerSecond,
            "FromMilliseconds" => TicksPerMillisecond,
            "FromMicroseconds" => TicksPerMicrosecond,
            "FromTicks" => 1L,
            _ => 0L,
        };
        return unit == 0 ? null : FromArguments(invocation.Arguments, unit);
    }

    /// <summary>Sums the arguments, each scaled by the unit its parameter name says (days, hours…).</summary>
    private static long? FromArguments(System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, long unitOfUnnamed)
    {
        double total = 0;
        foreach (var argument in arguments)
        {
            if (argument.Parameter is null || Number(argument.Value) is not { } value)
            {
                return null;
            }

            total += value * UnitOf(argument.Parameter.Name, unitOfUnnamed);
        }

        return ToTicks(total);
    }

    private static long UnitOf(string parameterName, long unitOfUnnamed) => parameterName switch
    {
        "days" => TicksPerDay,
        "hours" => TicksPerHour,
        "minutes" => TicksPerMinute,
        "seconds" => TicksPerSecond,
        "milliseconds" => TicksPerMillisecond,
        "microseconds" => TicksPerMicrosecond,
        "ticks" => 1,
        _ => unitOfUnnamed,
    };

    private static long? FromBinary(IBinaryOperation binary, PipelinesSymbols symbols, CancellationToken cancellationToken, int depth)
    {
        switch (binary.OperatorKind)
        {
            case BinaryOperatorKind.Add:
            case BinaryOperatorKind.Subtract:
                var left = Evaluate(binary.LeftOperand, symbols, cancellationToken, depth + 1);
                var right = Evaluate(binary.RightOperand, symbols, cancellationToken, depth + 1);
                return left is null || right is null ? null : binary.OperatorKind == BinaryOperatorKind.Add ? left + right : left - right;
            case BinaryOperatorKind.Multiply:
                var (span, factor) = symbols.IsTimeSpan(binary.LeftOperand.Type)
                    ? (binary.LeftOperand, binary.RightOperand)
                    : (binary.RightOperand, binary.LeftOperand);
                return Evaluate(span, symbols, cancellationToken, depth + 1) is { } ticks && Number(factor) is { } times
                    ? ToTicks(ticks * times)
                    : null;
            default:
                return null;
        }
    }

    private static double? Number(IOperation operation)
    {
        var constant = operation.ConstantValue;
        if (!constant.HasValue || constant.Value is null || constant.Value is string or bool or char)
        {
            return null;
        }

        try
        {
            return Convert.ToDouble(constant.Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidCastException)
        {
            return null;
        }
    }

    /// <summary>Whole ticks only: a fractional result is not something to reason about at compile time.</summary>
    private static long? ToTicks(double ticks) =>
        ticks == Math.Floor(ticks) && Math.Abs(ticks) < long.MaxValue / 2 ? (long)ticks : null;
}
