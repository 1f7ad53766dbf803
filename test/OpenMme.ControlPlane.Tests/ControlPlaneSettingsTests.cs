namespace OpenMme.ControlPlane;

public sealed class ControlPlaneSettingsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.Empty(new ControlPlaneSettings().Validate());
        Assert.Equal(Path.Combine(".openmme", "state.db"), new ControlPlaneSettings().DatabasePath);
    }

    [Fact]
    public void Each_wrong_setting_is_named_with_what_would_be_right()
    {
        var problems = new ControlPlaneSettings { AccountId = "123", Region = "US East", StateDirectory = " ", MaxInstances = 0 }.Validate();

        Assert.Equal(
        [
            "--account-id '123' must be 12 digits, e.g. 000000000000.",
            "--region 'US East' must be a region name such as us-east-1.",
            "--state-dir must name a folder, e.g. .openmme.",
            "--max-endpoints, --max-instances-per-endpoint and --max-instances must each be at least 1.",
        ], problems);
    }
}
