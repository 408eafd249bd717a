using Pipelines.Testing;

namespace Pipelines.Tests.Outputs;

public sealed class OutputOperationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipelines-outputs-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Print_uses_sparks_format_and_cuts_after_num_records()
    {
        var output = new StringWriter();
        using var run = StreamingTest.Start<int, int>([[1, 2, 3], []], s =>
        {
            s.Print(2);
            return s;
        }, options: new StreamingOptions { Output = output });

        run.Step();
        run.Step();

        Assert.Equal(
            "-------------------------------------------\nTime: 1000 ms\n-------------------------------------------\n1\n2\n...\n\n" +
            "-------------------------------------------\nTime: 2000 ms\n-------------------------------------------\n\n",
            output.ToString());
    }

    [Fact]
    public void Print_shows_every_record_when_there_are_no_more_than_num()
    {
        var output = new StringWriter();
        using var run = StreamingTest.Start<(string, int), (string, int)>([[("a", 1)]], s =>
        {
            s.Print();
            return s;
        }, options: new StreamingOptions { Output = output });

        run.Step();

        Assert.EndsWith("-------------------------------------------\n(a, 1)\n\n", output.ToString());
    }

    [Fact]
    public void SaveAsTextFiles_writes_one_file_per_batch_named_by_its_time()
    {
        var prefix = Path.Combine(_folder, "counts");
        StreamingTest.Run<int, int>([[1, 2], []], s =>
        {
            s.SaveAsTextFiles(prefix, "txt");
            return s;
        }, numBatches: 2);

        Assert.Equal("1\n2\n", File.ReadAllText(prefix + "-1000.txt"));
        Assert.Equal(string.Empty, File.ReadAllText(prefix + "-2000.txt"));
        Assert.Equal(2, Directory.GetFiles(_folder).Length);
    }

    [Fact]
    public void SaveAsTextFiles_replaces_the_file_when_a_batch_is_written_again()
    {
        var prefix = Path.Combine(_folder, "out");
        StreamingTest.Run<string, string>([["old", "stale"]], s =>
        {
            s.SaveAsTextFiles(prefix);
            return s;
        }, numBatches: 1);
        StreamingTest.Run<string, string>([["new"]], s =>
        {
            s.SaveAsTextFiles(prefix);
            return s;
        }, numBatches: 1);

        Assert.Equal("new\n", File.ReadAllText(prefix + "-1000"));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void SaveAsTextFiles_needs_a_prefix()
    {
        StreamingTest.Run([[1]], s =>
        {
            Assert.Throws<ArgumentException>(() => s.SaveAsTextFiles(""));
            return s;
        }, numBatches: 1);
    }

    [Fact]
    public void An_output_that_throws_fails_its_batch_but_later_outputs_still_run()
    {
        var seen = new List<int>();
        using var run = StreamingTest.Start<int, int>([[1], [2]], s =>
        {
            s.ForEachBatch((b, _) =>
            {
                if (b[0] == 1)
                {
                    throw new InvalidOperationException("sink down");
                }
            });
            s.ForEachBatch((b, _) => seen.Add(b[0]));
            return s;
        });

        var failed = run.Step();
        var next = run.Step();

        Assert.Equal("sink down", failed.Failure?.Message);
        Assert.Null(next.Failure);
        Assert.Equal([1, 2], seen);
    }
}
