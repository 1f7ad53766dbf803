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

    [Fact]
    public async Task Against_a_serve_that_verifies_signatures_invoke_and_bench_sign_with_the_key_file_and_a_wrong_key_is_refused()
    {
        using var directory = new TempDirectory();
        var (samplesExit, _, _) = await ServeProcess.RunToEndAsync(directory.Path, "samples", "--out", "models", "--count", "1", "--size", "10KB", "--seed", "3");
        Assert.Equal(0, samplesExit);
        await File.WriteAllTextAsync(directory.Combine("keys"), "AKIDCLIENT cli-secret-1\n");
        await File.WriteAllTextAsync(directory.Combine("wrong"), "AKIDCLIENT not-the-secret\n");
        using var serve = await ServeProcess.StartAsync(directory.Path, "serve", "--port", "0", "--access-keys", "keys");
        string[] invoke = ["invoke", "--url", serve.Address.ToString(), "--model", "fp32-000.onnx", "models/fp32-000.request.json"];

        var (signedExit, signedOutput, signedError) = await ServeProcess.RunToEndAsync(directory.Path, [.. invoke, "--access-keys", "keys", "--region", "eu-west-1"]);
        var (unsignedExit, _, unsignedError) = await ServeProcess.RunToEndAsync(directory.Path, invoke);
        var (wrongExit, _, wrongError) = await ServeProcess.RunToEndAsync(directory.Path, [.. invoke, "--access-keys", "wrong"]);
        var (benchExit, benchOutput, benchError) = await ServeProcess.RunToEndAsync(directory.Path, "bench", "--url", serve.Address.ToString(), "--model", "fp32-000.onnx",
            "--body", "models/fp32-000.request.json", "--connections", "2", "--duration", "30", "--warmup", "0", "--max-requests", "20", "--access-keys", "keys");

        Assert.True(signedExit == 0, signedError);
        Assert.Contains("outputs", signedOutput, StringComparison.Ordinal);
        Assert.Equal(1, unsignedExit);
        Assert.Contains("403 MissingAuthenticationTokenException", unsignedError, StringComparison.Ordinal);
        Assert.Equal(1, wrongExit);
        Assert.Contains("403 InvalidSignatureException", wrongError, StringComparison.Ordinal);
        Assert.True(benchExit == 0, benchError);
        Assert.Matches(@"\|\s+20 \|[^\n]*\|\s+0 \|", benchOutput);
        Assert.DoesNotContain("403", benchOutput, StringComparison.Ordinal);
    }
}
