using Microsoft.Data.Sqlite;
using Pipelines.Sqlite;

namespace Pipelines.FaultApp;

/// <summary>The folders and settings of one fault-test run.</summary>
/// <param name="InputDirectory">The folder of input files (lines <c>"&lt;id&gt; word word ..."</c>), or <c>tcp://host:port</c> of a chunk server.</param>
/// <param name="OutputDirectory">Where the file sinks write (<c>lines-&lt;t&gt;.txt</c>, <c>totals-&lt;t&gt;.txt</c>).</param>
/// <param name="CheckpointDirectory">The checkpoint folder.</param>
/// <param name="DatabasePath">The SQLite file of the database sink.</param>
/// <param name="BatchInterval">The batch interval.</param>
public sealed record FaultAppSettings(string InputDirectory, string OutputDirectory, string CheckpointDirectory, string DatabasePath, TimeSpan BatchInterval);

/// <summary>The pipeline of the fault-test app.</summary>
public static class FaultPipeline
{
    /// <summary>The SQLite table with the word totals the database sink accumulates.</summary>
    public const string TotalsTable = "word_totals";

    /// <summary>
    /// Builds the context: every input line goes to <c>lines-&lt;t&gt;.txt</c> (to count lost and duplicated
    /// records), per-batch word counts (the generated <see cref="FaultWordCounts"/>, its fingerprint registered)
    /// are added to <see cref="TotalsTable"/> (exactly once per batch, by the SQLite sink), and a running total per
    /// word (keyed state) goes to <c>totals-&lt;t&gt;.txt</c>.
    /// </summary>
    public static StreamingContext Build(FaultAppSettings settings)
    {
        var context = new StreamingContext(settings.BatchInterval, new StreamingOptions { LoggerFactory = new StderrLogger() });
        var lines = settings.InputDirectory.StartsWith("tcp://", StringComparison.Ordinal)
            ? context.ReceiverStream(new AcknowledgingReceiver(new Uri(settings.InputDirectory).Host, new Uri(settings.InputDirectory).Port))
            : context.TextFileStream(settings.InputDirectory);
        lines.SaveAsTextFiles(Path.Combine(settings.OutputDirectory, "lines"), "txt");

        // Compile registers the definition's fingerprint ("FaultWordCounts.Define") for the checkpoints.
        var counts = FaultWordCounts.Compile(lines);

        counts.SaveToSqlite(
            $"Data Source={settings.DatabasePath}",
            "word-counts",
            $"INSERT INTO {TotalsTable} (word, n) VALUES ($word, $n) ON CONFLICT (word) DO UPDATE SET n = n + excluded.n",
            static (parameters, record, _) =>
            {
                parameters.AddWithValue("$word", record.Word);
                parameters.AddWithValue("$n", record.Count);
            },
            schema: $"CREATE TABLE IF NOT EXISTS {TotalsTable} (word TEXT PRIMARY KEY, n INTEGER NOT NULL);");

        var totals = counts.UpdateStateByKey((IReadOnlyList<long> batchCounts, Optional<long> total) =>
        {
            var sum = total.GetValueOrDefault(0);
            foreach (var count in batchCounts)
            {
                sum += count;
            }

            return Optional.Of(sum);
        });
        totals.Checkpoint(settings.BatchInterval * 5);
        totals.Map(pair => $"{pair.Key} {pair.State}").SaveAsTextFiles(Path.Combine(settings.OutputDirectory, "totals"), "txt");
        return context;
    }

    /// <summary>Reads the word totals the SQLite sink accumulated.</summary>
    public static Dictionary<string, long> ReadDatabaseTotals(string databasePath)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        if (!File.Exists(databasePath))
        {
            return totals;
        }

        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT word, n FROM {TotalsTable}";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            totals[reader.GetString(0)] = reader.GetInt64(1);
        }

        return totals;
    }
}
