using OpenMme.Planning;

namespace OpenMme.Cli.Plan;

/// <summary>What <c>plan --json</c> writes.</summary>
internal sealed record PlanReport(string Trace, string Models, long Requests, IReadOnlyList<PlanReportRow> Rows, PlanRecommendation? Recommendation)
{
    public static PlanReport Create(PlanInputs inputs, IReadOnlyList<PlanRow> rows, InstanceChoice? choice) => new(
        inputs.TraceName,
        inputs.Population.Description,
        inputs.Requests.Length,
        [.. rows.Select(r => new PlanReportRow(r.MemoryPerInstance, r.Instances, r.Policy, r.Result.HitRatio, r.Result.ByteHitRatio, r.Result.LoadSeconds, r.Result.Loads,
            r.Result.Evictions, r.Result.Refused, r.Result.SegmentHitRatios))],
        choice is null ? null : new PlanRecommendation(choice.Profile.Name, choice.Count, choice.ModelBytesPerInstance, choice.Result.HitRatio, inputs.TargetHitRatio));
}

/// <summary>One row of <see cref="PlanReport"/>.</summary>
internal sealed record PlanReportRow(long MemoryPerInstance, int Instances, string Policy, double HitRatio, double ByteHitRatio, double LoadSeconds, long Loads,
    long Evictions, long Refused, IReadOnlyList<double> PhaseHitRatios);

/// <summary>The recommended instances.</summary>
internal sealed record PlanRecommendation(string InstanceType, int Count, long ModelBytesPerInstance, double HitRatio, double TargetHitRatio);
