using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Pipelines.TestKit;

namespace Pipelines.PostgreSql.Tests;

/// <summary>
/// Issue 17: the PostgreSQL sink (and so the shared ADO.NET protocol) under SIGKILL. A checkpointed app
/// (<c>Pipelines.PostgreSql.FaultApp</c>) reads a folder fed with seeded files, appends every line's id with binary COPY
/// and upserts per-batch word counts into running totals; it is killed at seeded random moments and restarted from its
/// checkpoint each time. Batches replayed after a kill must be skipped by the progress rows: every id is in the table
/// exactly once (0 lost, 0 duplicated) and the totals equal the corpus's word counts.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlKillTests(PostgresServer server) : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(120);
    private static readonly string[] Vocabulary = ["apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "haven"];
    private readonly string _root = Directory.CreateTempSubdirectory("pipelines-pg-kill-").FullName;
    private readonly ProcessLog _log = new();

    private string Input => Path.Combine(_root, "in");

    private string StopMarker => Path.Combine(_root, "STOP");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task SIGKILLs_mid_stream_lose_no_row_and_duplicate_none_in_the_copy_and_upsert_sinks()
    {
        const int Files = 40;
        const int LinesPerFile = 25;
        var connectionString = await server.CreateDatabaseAsync();
        var random = new Random(17);
        var corpus = new List<string[]>();
        var expectedTotals = new Dictionary<string, long>(StringComparer.Ordinal);
        var id = 0;
        for (var f = 0; f < Files; f++)
        {
            var lines = new string[LinesPerFile];
            for (var l = 0; l < LinesPerFile; l++)
            {
                var words = Enumerable.Range(0, random.Next(1, 5)).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]).ToArray();
                foreach (var word in words)
                {
                    expectedTotals[word] = expectedTotals.GetValueOrDefault(word) + 1;
                }

                lines[l] = string.Create(CultureInfo.InvariantCulture, $"r{id++:D5} {string.Join(' ', words)}");
            }

            corpus.Add(lines);
        }

        Directory.CreateDirectory(Input);
        using var feeding = new CancellationTokenSource(HangGuard);
        Task? feeder = null;
        var kills = 0;
        for (var run = 0; run < 3; run++)
        {
            using var child = Start(connectionString);
            await WaitForLogAsync(run == 0 ? "started fresh" : "recovered from", run + 1, child);
            feeder ??= FeedAsync(corpus, feeding.Token);
            await Task.Delay(TimeSpan.FromMilliseconds(400 + random.Next(600)));
            Assert.False(child.HasExited, $"the app exited by itself before kill #{run + 1}\n{Log}");
            child.Kill();
            await child.WaitForExitAsync();
            kills++;
            _log.Append($"--- SIGKILL #{kills}");
        }

        using var last = Start(connectionString);
        await feeder!;
        var expected = corpus.SelectMany(f => f).Select(line => line[..line.IndexOf(' ', StringComparison.Ordinal)]).ToHashSet(StringComparer.Ordinal);
        var guard = Stopwatch.StartNew();
        while ((await CountIdsAsync(connectionString)).Count < expected.Count)
        {
            if (guard.Elapsed > HangGuard || last.HasExited)
            {
                throw new TimeoutException($"The app did not write every line within {HangGuard} (exited: {last.HasExited}).\n{Log}");
            }

            await Task.Delay(100);
        }

        await File.WriteAllTextAsync(StopMarker, "stop");
        await last.WaitForExitAsync().WaitAsync(HangGuard);
        Assert.True(last.ExitCode == 0, $"exit code {last.ExitCode}\n{Log}");

        var counts = await CountIdsAsync(connectionString);
        var lost = expected.Count(i => !counts.ContainsKey(i));
        var duplicated = counts.Values.Sum(n => n - 1);
        Assert.True(lost == 0 && duplicated == 0, $"lost={lost} duplicated={duplicated} kills={kills}\n{Log}");
        Assert.Equal(expectedTotals.OrderBy(p => p.Key, StringComparer.Ordinal), (await ReadTotalsAsync(connectionString)).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(3, _log.CountStartingWith("recovered from"));
    }

    private string Log => _log.Text;

    private Process Start(string connectionString) =>
        DotNetApp.Start("Pipelines.PostgreSql.FaultApp.dll", [Input, Path.Combine(_root, "checkpoint"), connectionString, "100", StopMarker], _log);

    private async Task WaitForLogAsync(string prefix, int occurrences, Process child)
    {
        var guard = Stopwatch.StartNew();
        while (_log.CountStartingWith(prefix, "started fresh", "recovered from") < occurrences)
        {
            if (guard.Elapsed > HangGuard || child.HasExited)
            {
                throw new TimeoutException($"The app did not print '{prefix}' (exited: {child.HasExited}).\n{Log}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Moves the corpus files into the input folder one by one (written hidden, then renamed).</summary>
    private async Task FeedAsync(List<string[]> corpus, CancellationToken cancellationToken)
    {
        for (var f = 0; f < corpus.Count; f++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"part-{f:D4}.txt");
            var temp = Path.Combine(Input, "." + name + ".tmp");
            await File.WriteAllLinesAsync(temp, corpus[f], cancellationToken);
            File.Move(temp, Path.Combine(Input, name));
            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task<Dictionary<string, int>> CountIdsAsync(string connectionString)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT to_regclass('lines') IS NOT NULL", connection);
        if (!(bool)(await command.ExecuteScalarAsync())!)
        {
            return counts;
        }

        command.CommandText = "SELECT id, count(*) FROM lines GROUP BY id";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = (int)reader.GetInt64(1);
        }

        return counts;
    }

    private static async Task<Dictionary<string, long>> ReadTotalsAsync(string connectionString)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT word, n FROM word_totals", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            totals[reader.GetString(0)] = reader.GetInt64(1);
        }

        return totals;
    }
}
