using System.Text;
using System.Text.Json;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.Cli.Commands;

/// <summary>A host killed with SIGKILL in the middle of a download, then restarted.</summary>
public sealed class ServeCrashTests
{
    private const int Attempts = 4;

    [Fact]
    public async Task A_host_killed_mid_download_serves_no_partial_artifact_and_loads_the_model_after_restart()
    {
        using var bucket = await S3TestBucket.CreateAsync();
        using var directory = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
            ["AWS_REGION"] = "us-east-1",
        };
        string[] arguments = ["serve", "--models", bucket.Source, "--s3-endpoint", bucket.Endpoint, "--port", "0", "--cache-dir", "cache"];
        // FP64 keeps the reference exact enough for a model this wide.
        var sample = SampleModelFactory.Create(1, 120_000_000);
        var staging = directory.Combine("cache", "staging");
        var artifacts = directory.Combine("cache", "artifacts");
        string? killedKey = null;

        for (var attempt = 0; attempt < Attempts && killedKey is null; attempt++)
        {
            var key = $"big-{attempt}.onnx";
            await bucket.PutAsync(key, sample.Onnx);
            using var serve = await ServeProcess.StartAsync(directory.Path, environment, arguments);
            using var client = new HttpClient { BaseAddress = serve.Address, Timeout = TimeSpan.FromMinutes(2) };
            var pending = InvokeAsync(client, key, sample);
            if (await WaitForPartialDownloadAsync(staging, sample.Onnx.Length, pending))
            {
                serve.Crash();
                killedKey = key;
            }

            await Task.WhenAny(pending, Task.Delay(TimeSpan.FromSeconds(5)));
        }

        Assert.True(killedKey is not null, $"no download was caught in flight in {Attempts} attempts");
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(staging));

        using var restarted = await ServeProcess.StartAsync(directory.Path, environment, arguments);
        Assert.Empty(Directory.EnumerateFileSystemEntries(staging));
        foreach (var folder in Directory.EnumerateDirectories(artifacts))
        {
            Assert.True(File.Exists(Path.Combine(folder, "artifact.json")), $"{folder} has no record");
        }

        using var again = new HttpClient { BaseAddress = restarted.Address, Timeout = TimeSpan.FromMinutes(2) };
        var body = await InvokeAsync(again, killedKey!, sample);
        using var document = JsonDocument.Parse(body);
        var data = document.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        SampleAssert.Matches("y", sample.ExpectedOutputs[0].Values, data);
    }

    private static async Task<string> InvokeAsync(HttpClient client, string key, SampleModel sample)
    {
        using var content = new ByteArrayContent(SampleWriter.RequestJson(sample));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/endpoints/local/invocations") { Content = content };
        request.Headers.Add("X-Amzn-SageMaker-Target-Model", key);
        using var response = await client.SendAsync(request);
        var text = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
        Assert.True(response.IsSuccessStatusCode, text);
        return text;
    }

    /// <summary>Polls the staging folder until it holds part of the artifact; false if the request ended first.</summary>
    private static async Task<bool> WaitForPartialDownloadAsync(string staging, long size, Task pending)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !pending.IsCompleted)
        {
            if (Directory.Exists(staging))
            {
                foreach (var file in Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories))
                {
                    var length = new FileInfo(file).Length;
                    if (length > 0 && length < size)
                    {
                        return true;
                    }
                }
            }

            await Task.Delay(1);
        }

        return false;
    }
}
