namespace Pipelines.Generators;

/// <summary>The names of the generator's incremental steps, so tests can assert that each one is cached.</summary>
internal static class TrackingNames
{
    /// <summary>Syntax + semantic model -> <see cref="Model.ClassModel"/>.</summary>
    public const string Models = "Pipelines.Models";

    /// <summary>Model -> fused plan.</summary>
    public const string Plans = "Pipelines.Plans";
}
