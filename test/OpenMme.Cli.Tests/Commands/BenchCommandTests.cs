using System.Text.Json;
using OpenMme.TestSupport;

namespace OpenMme.Cli.Commands;

/// <summary><c>openmme bench</c> against a real <c>openmme serve</c>.</summary>
public sealed class BenchCommandTests
{
    [Fact]
    public async Task An_open_loop_replay_reports_every_request_hits_and_errors_by_code_as_json()
    {
        using var directory = new TempDirectory();
        var (samplesExit, _, samplesError) = await ServeProcess.RunToEndAsync(directory.Path, "samples", "--out", "models", "--count", "4", "--size", "20KB");
        Assert.True(samplesExit == 0, samplesError);
        await File.WriteAllLinesAsync(directory.Combine("trace.txt"), ["# replay", "fp32-000.onnx", "fp32-000.onnx", "fp64-001.onnx", "int64-002.onnx", "fp32-000.onnx"]);
        using var serve = await ServeProcess.StartAsync(directory.Path, "serve", "--port", "0", "--drain-delay", "0");
        // A model outside the trace takes the process's first, slow ONNX Runtime load, so that the
        // trace's loads finish well within the 200 ms before fp32-000 is asked for the third time.
        var (warmExit, _, warmError) = await ServeProcess.RunToEndAsync(directory.Path, "invoke", "--url", serve.Address.ToString(),
            "--model", "bool-003.onnx", "models/bool-003.request.json");
        Assert.True(warmExit == 0, warmError);

        var (exit, output, error) = await ServeProcess.RunToEndAsync(directory.Path, "bench", "--url", serve.Address.ToString(), "--requests", "models",
            "--trace", "file:trace.txt", "--rate", "20", "--duration", "10", "--json", "result.json");

        Assert.True(exit == 0, error + output);
        Assert.Contains("open 20/s", output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(directory.Combine("result.json")));
        var result = json.RootElement[0];
        Assert.Equal(5, result.GetProperty("requests").GetInt64());
        Assert.Equal(0, result.GetProperty("errors").GetInt64());
        // The second request for fp32-000 may still join its first load (a miss); the third is a hit.
        Assert.InRange(result.GetProperty("hitRatio").GetDouble(), 0.2, 0.4);
        Assert.True(result.GetProperty("loadSeconds").GetDouble() > 0);
    }

    [Theory]
    [InlineData(Launcher.AppHost)]
    [InlineData(Launcher.Dotnet)]
    public async Task Baseline_starts_its_child_process_however_openmme_was_started(Launcher launcher)
    {
        using var directory = new TempDirectory();
        var (samplesExit, _, samplesError) = await ServeProcess.RunToEndAsync(directory.Path, "samples", "--out", "models", "--count", "1", "--size", "10KB");
        Assert.True(samplesExit == 0, samplesError);
        using var serve = await ServeProcess.StartAsync(directory.Path, "serve", "--port", "0", "--drain-delay", "0");

        var (exit, output, error) = await ServeProcess.RunToEndAsync(launcher, directory.Path, "bench", "--url", serve.Address.ToString(),
            "--model", "fp32-000.onnx", "--body", "models/fp32-000.request.json", "--baseline", "--connections", "2", "--duration", "30", "--warmup", "0",
            "--max-requests", "100", "--json", "result.json");

        Assert.True(exit == 0, error + output);
        Assert.Contains("ratio to bare Kestrel:", output, StringComparison.Ordinal);
        var rows = output.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| -", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, rows.Length);
        Assert.StartsWith("| bare Kestrel ", rows[1], StringComparison.Ordinal);
        Assert.EndsWith("|       n/a |    n/a |", rows[1].TrimEnd(), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(directory.Combine("result.json")));
        Assert.Equal("bare Kestrel", json.RootElement[0].GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement[0].GetProperty("hitRatio").ValueKind);
        Assert.Equal(100, json.RootElement[0].GetProperty("requests").GetInt64());
        // The first requests of the target may miss while its one model loads; the rest hit.
        Assert.InRange(json.RootElement[1].GetProperty("hitRatio").GetDouble(), 0.9, 1.0);
    }

    [Fact]
    public async Task Errors_are_counted_by_status_and_sagemaker_code()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(directory.Combine("models"));
        await File.WriteAllTextAsync(directory.Combine("body.json"), "{}");
        using var serve = await ServeProcess.StartAsync(directory.Path, "serve", "--port", "0", "--drain-delay", "0");

        var (exit, output, _) = await ServeProcess.RunToEndAsync(directory.Path, "bench", "--url", serve.Address.ToString(), "--model", "absent.onnx",
            "--body", "body.json", "--connections", "2", "--duration", "1", "--warmup", "0", "--max-requests", "20");

        Assert.Equal(1, exit);
        Assert.Contains("400 ValidationError", output, StringComparison.Ordinal);
    }
}
