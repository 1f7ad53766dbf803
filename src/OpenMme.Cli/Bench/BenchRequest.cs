namespace OpenMme.Cli.Bench;

/// <summary>One kind of request a benchmark sends: a target model and its body.</summary>
internal sealed record BenchRequest(string TargetModel, byte[] Body, string ContentType);
