using Pipelines.Testing;

namespace Pipelines.Tests.Core;

public sealed class BasicOperatorTests
{
    [Fact]
    public void Map_applies_the_function_to_each_record_batch_by_batch()
    {
        var output = StreamingTest.Run([[1, 2], [3]], s => s.Map(x => x * 10), numBatches: 3);

        Assert.Equal([[10, 20], [30], []], output);
    }
}
