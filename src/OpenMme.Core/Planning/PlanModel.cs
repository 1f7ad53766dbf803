namespace OpenMme.Planning;

/// <summary>A model as the planner sees it.</summary>
/// <param name="Name">Its name (the target model).</param>
/// <param name="Bytes">Memory it is accounted at once loaded.</param>
/// <param name="CreateSeconds">What creating its session costs (a load from the disk tier).</param>
/// <param name="DownloadSeconds">What its first load adds to that: the download from the store.</param>
internal sealed record PlanModel(string Name, long Bytes, double CreateSeconds, double DownloadSeconds);
