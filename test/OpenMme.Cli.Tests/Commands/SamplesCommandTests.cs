using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.Cli.Commands;

/// <summary><c>openmme samples --classic</c>: the classic-ML samples on disk, in a bucket, and served.</summary>
public sealed class SamplesCommandTests
{
    [Fact]
    public async Task Classic_writes_the_four_samples_each_with_its_request_and_response()
    {
        using var directory = new TempDirectory();

        var (exit, output, error) = await CommandRun.InvokeAsync("samples", "--classic", "--out", directory.Path, "--seed", "3", "--name-prefix", "demo-");

        Assert.True(exit == 0, error);
        Assert.Equal($"Wrote 4 classic-ML models to {directory.Path}, each with NAME.request.json and NAME.response.json.{Environment.NewLine}", output);
        foreach (var sample in ClassicSampleFactory.CreateAll(seed: 3))
        {
            var stem = "demo-" + Path.GetFileNameWithoutExtension(sample.Name);
            Assert.Equal(sample.Onnx, await File.ReadAllBytesAsync(directory.Combine(stem + ".onnx")));
            Assert.Equal(SampleWriter.RequestJson(sample), await File.ReadAllBytesAsync(directory.Combine(stem + ".request.json")));
            Assert.Equal(SampleWriter.ResponseJson(sample, stem + ".onnx"), await File.ReadAllBytesAsync(directory.Combine(stem + ".response.json")));
        }

        Assert.Equal(12, Directory.GetFiles(directory.Path).Length);
    }

    [Theory]
    [InlineData("--count", "2")]
    [InlineData("--size", "1MB")]
    public async Task Classic_refuses_count_and_size_in_one_line(string option, string value)
    {
        using var directory = new TempDirectory();

        var (exit, output, error) = await CommandRun.InvokeAsync("samples", "--classic", option, value, "--out", directory.Path);

        Assert.Equal(OpenMmeCommand.UsageError, exit);
        Assert.Equal(string.Empty, output);
        Assert.Equal(
            ["--count and --size do not apply to --classic, which always writes its four samples at their own size.", "See 'openmme samples --help'."],
            error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory.Path));
    }

    [Fact]
    public async Task Classic_archives_uploaded_to_a_bucket_are_served_with_the_response_beside_them()
    {
        using var bucket = await S3TestBucket.CreateAsync();
        using var directory = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
            ["AWS_REGION"] = "us-east-1",
        };

        var (exit, output, error) = await ServeProcess.RunToEndAsync(Launcher.Dotnet, directory.Path, environment,
            "samples", "--classic", "--archive", "--seed", "11", "--name-prefix", "sk-", "--out", "models", "--upload", bucket.Source, "--s3-endpoint", bucket.Endpoint);

        Assert.True(exit == 0, error);
        Assert.Contains($"Uploaded 4 artifacts to {bucket.Source}", output, StringComparison.Ordinal);
        using var serve = await ServeProcess.StartAsync(directory.Path, environment,
            "serve", "--models", bucket.Source, "--s3-endpoint", bucket.Endpoint, "--port", "0", "--cache-dir", "cache");
        using var client = new HttpClient { BaseAddress = serve.Address };
        foreach (var kind in ClassicSampleFactory.Kinds)
        {
            var stem = Path.Combine(directory.Path, "models", $"sk-classic-{kind}");
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(stem + ".request.json"));
            content.Headers.ContentType = new("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/endpoints/local/invocations") { Content = content };
            request.Headers.Add("X-Amzn-SageMaker-Target-Model", $"sk-classic-{kind}.tar.gz");

            using var response = await client.SendAsync(request);

            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.True(response.IsSuccessStatusCode, System.Text.Encoding.UTF8.GetString(body));
            SampleAssert.SameKServeAnswer(await File.ReadAllBytesAsync(stem + ".response.json"), body);
        }
    }
}
