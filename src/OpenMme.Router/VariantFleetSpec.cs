namespace OpenMme.Router;

/// <summary>What one production variant of an endpoint runs on: its instances and how requests reach them.</summary>
/// <param name="VariantName">The name answered in <c>x-Amzn-Invoked-Production-Variant</c>.</param>
/// <param name="Weight">Its share of the endpoint's traffic, relative to the other variants (SageMaker's <c>InitialVariantWeight</c>).</param>
/// <param name="Instances">The instances' addresses.</param>
/// <param name="SingleModelKey">
/// For a <c>SingleModel</c> variant, the one model's key under the instances' store: every request is sent
/// for it, and a request that names a target model is refused, as SageMaker refuses it. Null for a multi-model variant.
/// </param>
public sealed record VariantFleetSpec(string VariantName, double Weight, IReadOnlyList<Uri> Instances, string? SingleModelKey = null);
