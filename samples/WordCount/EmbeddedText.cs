using System.Collections.Concurrent;

namespace Pipelines.Samples.WordCount;

/// <summary>A built-in source of lines: a few sentences about streams, cycled, so the sample needs no server.</summary>
internal static class EmbeddedText
{
    private static readonly string[] Sentences =
    [
        "a discretized stream is a sequence of batches",
        "each batch holds the records that arrived in one interval",
        "transformations build new streams and output operations run them",
        "the generator fuses map filter and reduce into one loop",
        "windows cover the batches of the last few intervals",
        "state carries a value per key from one batch to the next",
        "checkpoints let a stream restart where it stopped",
    ];

    /// <summary>A queue stream that yields <paramref name="linesPerBatch"/> lines at every batch.</summary>
    public static DStream<string> Stream(StreamingContext context, int linesPerBatch)
    {
        var queue = new ConcurrentQueue<IEnumerable<string>>();
        var next = 0;
        for (var batch = 0; batch < 1000; batch++)
        {
            var lines = new string[linesPerBatch];
            for (var i = 0; i < lines.Length; i++)
            {
                lines[i] = Sentences[next++ % Sentences.Length];
            }

            queue.Enqueue(lines);
        }

        return context.QueueStream(queue);
    }
}
