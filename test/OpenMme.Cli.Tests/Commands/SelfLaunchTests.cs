namespace OpenMme.Cli.Commands;

/// <summary>The command line a child <c>openmme</c> process gets, for each way the parent was started.</summary>
public sealed class SelfLaunchTests
{
    [Theory]
    [InlineData("/opt/openmme/openmme")]
    [InlineData("/home/u/.dotnet/tools/openmme")]
    public void An_apphost_or_single_file_executable_is_started_with_the_arguments_only(string processPath)
    {
        var start = SelfLaunch.StartInfo(processPath, "/opt/openmme/openmme.dll", ["baseline"]);

        Assert.Equal(processPath, start.FileName);
        Assert.Equal(["baseline"], start.ArgumentList);
    }

    [Theory]
    [InlineData("/usr/share/dotnet/dotnet")]
    [InlineData("/opt/dotnet/dotnet.exe")]
    public void The_dotnet_host_is_told_the_assembly_first(string processPath)
    {
        var start = SelfLaunch.StartInfo(processPath, "/src/bin/openmme.dll", ["baseline", "--port", "0"]);

        Assert.Equal(processPath, start.FileName);
        Assert.Equal(["/src/bin/openmme.dll", "baseline", "--port", "0"], start.ArgumentList);
    }
}
