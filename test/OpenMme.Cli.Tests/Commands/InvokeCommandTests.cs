using System.Text.Json;
using OpenMme.TestSupport;

namespace OpenMme.Cli.Commands;

public sealed class InvokeCommandTests
{
    [Fact]
    public async Task Samples_then_invoke_prints_the_expected_response()
    {
        using var directory = new TempDirectory();
        var (samplesExit, samplesOutput, _) = await ServeProcess.RunToEndAsync(directory.Path, "samples", "--out", "models", "--count", "5", "--size", "30KB", "--seed", "9");
        Assert.Equal(0, samplesExit);
        Assert.Contains("Wrote 5 models", samplesOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(directory.Combine("models", "fp32-004.onnx")));
        using var serve = await ServeProcess.StartAsync(directory.Path, "serve", "--port", "0");

        var (exit, output, error) = await ServeProcess.RunToEndAsync(directory.Path, "invoke", "--url", serve.Address.ToString(),
            "--model", "int64-002.onnx", "models/int64-002.request.json");

        Assert.True(exit == 0, error);
        using var actual = JsonDocument.Parse(output);
        using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(directory.Combine("models", "int64-002.response.json")));
        Assert.Equal(
            expected.RootElement.GetProperty("outputs")[1].GetProperty("data").GetRawText(),
            actual.RootElement.GetProperty("outputs")[1].GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Invoke_reports_the_error_type_and_exits_non_zero()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(directory.Combine("models"));
        await File.WriteAllTextAsync(directory.Combine("body.json"), "{}");
        using var serve = await ServeProcess.StartAsync(directory.Path, "serve", "--port", "0");

        var (exit, _, error) = await ServeProcess.RunToEndAsync(directory.Path, "invoke", "--url", serve.Address.ToString(), "--model", "absent.onnx", "body.json");

        Assert.Equal(1, exit);
        Assert.Contains("400 ValidationError", error, StringComparison.Ordinal);
    }
}
