namespace OpenMme.Planning;

public sealed class LoadCostModelTests
{
    [Fact]
    public void Costs_follow_the_measured_figures_and_are_whole_clock_ticks()
    {
        // SPEC section 9: about 0.8 ms at 0.1 MB, 2.6 ms at 1 MB, 25 ms at 10 MB, 265-300 ms at 100 MB.
        Assert.InRange(LoadCostModel.CreateSeconds(100_000), 0.0006, 0.001);
        Assert.InRange(LoadCostModel.CreateSeconds(1_000_000), 0.002, 0.004);
        Assert.InRange(LoadCostModel.CreateSeconds(10_000_000), 0.02, 0.03);
        Assert.InRange(LoadCostModel.CreateSeconds(100_000_000), 0.265, 0.3);
        Assert.InRange(LoadCostModel.DownloadSeconds(100_000_000), 0.15, 0.25);

        // What a fake clock measures for a load of that cost, to the last bit (the decision core and the memory tier then agree exactly).
        for (long bytes = 1; bytes < 2_000_000_000; bytes = (bytes * 7) + 3)
        {
            var create = LoadCostModel.CreateSeconds(bytes);
            var download = LoadCostModel.DownloadSeconds(bytes);
            Assert.Equal(LoadCostModel.Duration(create).TotalSeconds, create);
            Assert.Equal(LoadCostModel.Duration(download).TotalSeconds, download);
            Assert.Equal(create, LoadCostModel.InTicks(create));
        }
    }
}
