namespace Pipelines.Hosting;

/// <summary>The definition of the hosted context's streams and outputs, as registered with <c>AddStreamingContext</c>.</summary>
/// <param name="Define">Defines the inputs, transformations and outputs on a new context (with the application's services).</param>
internal sealed record StreamingContextDefinition(Action<StreamingContext, IServiceProvider> Define);
