namespace Pipelines.Tests.Core;

/// <summary><see cref="BatchBuilder{T}.AddRange(IEnumerable{T})"/>: arrays and lists are copied as spans, other sequences enumerated, all in order.</summary>
public sealed class BatchBuilderTests
{
    public static TheoryData<string> Shapes => ["array", "list", "collection", "sequence", "covariant array"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void AddRange_appends_every_record_in_order_whatever_the_sequence_is(string shape)
    {
        var records = Enumerable.Range(0, 1000).Select(i => "r" + i).ToArray();
        IEnumerable<object> source = shape switch
        {
            "array" => records.Cast<object>().ToArray(),
            "list" => records.Cast<object>().ToList(),
            "collection" => new System.Collections.ObjectModel.Collection<object>(records.Cast<object>().ToList()),
            "sequence" => records.Select(r => (object)r),
            _ => records, // a string[] seen as IEnumerable<object>
        };

        var builder = new BatchBuilder<object>(4);
        builder.Add("first");
        builder.AddRange(source);
        builder.AddRange(source);
        var batch = builder.ToBatch();

        Assert.Equal(["first", .. records, .. records], batch.ToArray());
    }
}
