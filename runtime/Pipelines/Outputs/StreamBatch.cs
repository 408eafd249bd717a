namespace Pipelines;

/// <summary>One batch handed out of the stream by <see cref="DStream{T}.ToAsyncEnumerable"/> or <see cref="DStream{T}.ToObservable"/>.</summary>
/// <param name="Time">The batch's time.</param>
/// <param name="Records">A copy of the batch's records (not pooled: it stays valid as long as it is referenced).</param>
/// <typeparam name="T">The type of the records.</typeparam>
public sealed record StreamBatch<T>(BatchTime Time, Batch<T> Records);
