using System.Runtime.CompilerServices;
using Pipelines.Dashboard.Monitoring;
using Pipelines.Dashboard.Results;

namespace Pipelines.Dashboard.Hosting;

/// <summary>
/// What one streaming context shows: its statistics listener and its result boards, shared by the dashboard
/// server and <see cref="DStreamDashboardExtensions.ToDashboard"/> (whichever comes first creates it). Also the
/// change signal that the page's server-sent events wait on.
/// </summary>
internal sealed class DashboardHub
{
    private static readonly ConditionalWeakTable<StreamingContext, DashboardHub> Hubs = [];
    private readonly object _gate = new();
    private readonly List<ResultBoard> _boards = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    private DashboardHub(StreamingContext context)
    {
        Context = context;
        Statistics = new StreamingStatistics(context.TimeProvider, context.BatchInterval, new DashboardOptions().RetainedBatches);
        Statistics.Changed += NotifyChanged;
        context.AddStreamingListener(Statistics);
    }

    public StreamingContext Context { get; }

    public StreamingStatistics Statistics { get; }

    /// <summary>Grows by one on every change.</summary>
    public long Version => Interlocked.Read(ref _version);

    public static DashboardHub For(StreamingContext context) => Hubs.GetValue(context, static c => new DashboardHub(c));

    public ResultBoard AddBoard(string title, ResultsDashboardOptions options)
    {
        lock (_gate)
        {
            var board = new ResultBoard(_boards.Count, title, options);
            board.Changed += NotifyChanged;
            _boards.Add(board);
            return board;
        }
    }

    public IReadOnlyList<ResultBoard> Boards()
    {
        lock (_gate)
        {
            return [.. _boards];
        }
    }

    /// <summary>Completes when <see cref="Version"/> moves past <paramref name="seen"/>.</summary>
    public Task WhenChangedAsync(long seen, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_gate)
        {
            if (Version != seen)
            {
                return Task.CompletedTask;
            }

            changed = _changed.Task;
        }

        return changed.WaitAsync(cancellationToken);
    }

    private void NotifyChanged()
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            Interlocked.Increment(ref _version);
            done = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult();
    }
}
