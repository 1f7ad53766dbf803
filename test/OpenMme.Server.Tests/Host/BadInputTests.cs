using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.Host;

/// <summary>Every kind of bad input gets SageMaker's exact code and an actionable message, and other models keep serving.</summary>
public sealed class BadInputTests
{
    private const string ValidX = """{"inputs":[{"name":"x","shape":[1,8],"datatype":"FP32","data":[1,2,3,4,5,6,7,8]}]}""";

    public static TheoryData<StoreKind, string?, string, string, int, string, string> BadRequests()
    {
        var data = new TheoryData<StoreKind, string?, string, string, int, string, string>();
        (string? Target, string Body, string ContentType, int Status, string Code, string Message)[] cases =
        [
            (null, ValidX, "application/json", 400, "ValidationError", "X-Amzn-SageMaker-Target-Model header"),
            ("../fp32-000.onnx", ValidX, "application/json", 400, "ValidationError", "'..' path segment"),
            ("a/../../etc/passwd", ValidX, "application/json", 400, "ValidationError", "'..' path segment"),
            ("/etc/passwd", ValidX, "application/json", 400, "ValidationError", "absolute path"),
            ("nope.onnx", ValidX, "application/json", 400, "ValidationError", "Failed to download model data"),
            ("fp32-000.onnx", "{\"inputs\":[{", "application/json", 424, "ModelError", "not valid JSON"),
            ("fp32-000.onnx", ValidX, "application/x-www-form-urlencoded", 415, "ValidationError", "application/json"),
            ("fp32-000.onnx", """{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":[1,2,3,4,5,6,7,8]}]}""", "application/json", 424, "ModelError", "'input' is not an input"),
            ("fp32-000.onnx", """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", "application/json", 424, "ModelError", "does not accept"),
            ("fp32-000.onnx", """{"inputs":[{"name":"x","shape":[1,8],"datatype":"FP64","data":[1,2,3,4,5,6,7,8]}]}""", "application/json", 424, "ModelError", "the model takes FP32"),
        ];
        foreach (var store in new[] { StoreKind.LocalFolder, StoreKind.S3 })
        {
            foreach (var c in cases)
            {
                data.Add(store, c.Target, c.Body, c.ContentType, c.Status, c.Code, c.Message);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_requests_get_the_exact_code_and_other_models_keep_serving(
        StoreKind store, string? target, string body, string contentType, int status, string code, string message)
    {
        await using var host = await HostFixture.StartAsync(store);
        var good = await host.AddSampleAsync(0);

        using var response = await host.InvokeAsync(target, body, contentType);

        await AssertErrorAsync(response, status, code, message);
        await host.AssertServesAsync(good);
    }

    /// <summary>Faults of the payload, each as a codec finds it; the store plays no part once the model is leased.</summary>
    public static TheoryData<string, string, string> PayloadErrors() => new()
    {
        { "{\"inputs\":[{", "application/json", "not valid JSON" },
        { ValidX + "x", "application/json", "not valid JSON" },
        { ValidX + ValidX, "application/json", "not valid JSON" },
        { """{"\ud800":0}""", "application/json", "lone UTF-16 surrogate" },
        { """{"inputs":[{"name":"x\udc00","shape":[1,8],"datatype":"FP32","data":[1,2,3,4,5,6,7,8]}]}""", "application/json", "lone UTF-16 surrogate" },
        { """{"inputs":[{"name":"x","shape":[1,8],"datatype":"FP32","data":[1,2,3]}]}""", "application/json", "needs 8 values; the data holds 3" },
        { """{"inputs":[{"name":"x","shape":[1,8],"datatype":"FP32","data":[1,[2,3,4,5,6,7,8]]}]}""", "application/json", "nested otherwise" },
        { """{"inputs":[{"name":"x","shape":[1,8],"datatype":"FP99","data":[1,2,3,4,5,6,7,8]}]}""", "application/json", "unknown datatype 'FP99'" },
        { """{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":[1,2,3,4,5,6,7,8]}]}""", "application/json", "'input' is not an input" },
        { """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", "application/json", "does not accept" },
        { """{"instances":[[1,2,3,4,5,6,7,8],[1]]}""", "application/json", "ragged" },
        { "1,2,3,4,5,6,7,8\n1,2\n", "text/csv", "2 columns" },
        { "1,2,3,4,5,6,7,x\n", "text/csv", "'x' in column 8, which is not FP32" },
        { "not an array", "application/x-npy", "not an NPY array" },
    };

    [Theory]
    [MemberData(nameof(PayloadErrors))]
    public async Task Payload_errors_on_the_runtime_api_are_client_errors_from_the_model(string body, string contentType, string message)
    {
        await using var host = await HostFixture.StartAsync();
        var good = await host.AddSampleAsync(0);

        using var response = await host.InvokeAsync(good.Name, body, contentType);

        using var error = await AssertErrorAsync(response, 424, "ModelError", message);
        Assert.Equal("CLIENT_ERROR_FROM_MODEL", error.RootElement.GetProperty("ErrorCode").GetString());
        Assert.Equal(400, error.RootElement.GetProperty("OriginalStatusCode").GetInt32());
        Assert.Equal(error.RootElement.GetProperty("message").GetString(), error.RootElement.GetProperty("OriginalMessage").GetString());
        await host.AssertServesAsync(good);
    }

    [Theory]
    [MemberData(nameof(PayloadErrors))]
    public async Task Payload_errors_on_the_container_contract_are_a_plain_400(string body, string contentType, string message)
    {
        await using var host = await HostFixture.StartAsync();
        var good = await host.AddSampleAsync(0);
        using var load = await host.Client.PostAsJsonAsync("/models", new { model_name = "loaded", url = good.Name });
        Assert.Equal(HttpStatusCode.OK, load.StatusCode);

        using var invocations = new HttpRequestMessage(HttpMethod.Post, "/invocations") { Content = Content(body, contentType) };
        invocations.Headers.Add("X-Amzn-SageMaker-Target-Model", good.Name);
        using var viaInvocations = await host.Client.SendAsync(invocations);
        using var viaInvoke = await host.Client.PostAsync("/models/loaded/invoke", Content(body, contentType));

        foreach (var response in new[] { viaInvocations, viaInvoke })
        {
            using var error = await AssertErrorAsync(response, 400, "ValidationError", message);
            Assert.False(error.RootElement.TryGetProperty("ErrorCode", out _), "a container's 400 carries no ModelError fields");
        }

        await host.AssertServesAsync(good);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_json_string_is_a_client_error_from_the_model()
    {
        await using var host = await HostFixture.StartAsync();
        var good = await host.AddSampleAsync(0);
        byte[] body = [.. "{\"id\":\""u8, 0xC3, 0x28, .. "\","u8, .. ValidX.AsSpan(1).ToArray().Select(c => (byte)c)];

        using var response = await host.InvokeAsync(good.Name, body);

        using var error = await AssertErrorAsync(response, 424, "ModelError", "not valid UTF-8");
        Assert.Equal("CLIENT_ERROR_FROM_MODEL", error.RootElement.GetProperty("ErrorCode").GetString());
    }

    [Fact]
    public async Task Header_errors_on_the_container_contract_stay_validation_errors()
    {
        await using var host = await HostFixture.StartAsync();
        var good = await host.AddSampleAsync(0);

        using var noTarget = await host.Client.PostAsync("/invocations", Content(ValidX, "application/json"));
        using var badType = new HttpRequestMessage(HttpMethod.Post, "/invocations") { Content = Content(ValidX, "image/png") };
        badType.Headers.Add("X-Amzn-SageMaker-Target-Model", good.Name);
        using var unsupported = await host.Client.SendAsync(badType);
        using var badAccept = new HttpRequestMessage(HttpMethod.Post, "/models/" + good.Name + "/invoke") { Content = Content(ValidX, "application/json") };
        badAccept.Headers.TryAddWithoutValidation("Accept", "image/png");
        using var load = await host.Client.PostAsJsonAsync("/models", new { model_name = good.Name, url = good.Name });
        using var unacceptable = await host.Client.SendAsync(badAccept);

        await AssertErrorAsync(noTarget, 400, "ValidationError", "X-Amzn-SageMaker-Target-Model header");
        await AssertErrorAsync(unsupported, 415, "ValidationError", "'image/png' is not supported");
        await AssertErrorAsync(unacceptable, 400, "ValidationError", "Accept 'image/png' names no supported type");
    }

    [Fact]
    public async Task An_accept_that_cannot_carry_the_outputs_is_the_containers_answer_naming_the_output()
    {
        await using var host = await HostFixture.StartAsync();
        var twoOutputs = await host.AddSampleAsync(2);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/endpoints/local/invocations") { Content = new ByteArrayContent(SampleWriter.RequestJson(twoOutputs)) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Amzn-SageMaker-Target-Model", twoOutputs.Name);
        request.Headers.Add("Accept", "application/x-npy");

        using var response = await host.Client.SendAsync(request);

        // SageMaker hands Accept to the container, whose refusal reaches the caller as a model error.
        using var error = await AssertErrorAsync(response, 424, "ModelError", "Output 'label' is one of 2 outputs, which application/x-npy (one array) cannot carry. Ask for application/json or text/csv.");
        Assert.Equal("CLIENT_ERROR_FROM_MODEL", error.RootElement.GetProperty("ErrorCode").GetString());
    }

    [Fact]
    public async Task Error_answers_and_log_lines_quote_a_short_prefix_of_the_payload()
    {
        var logs = new CollectingLoggerProvider();
        await using var host = await HostFixture.StartAsync(StoreKind.LocalFolder, logs: logs);
        var good = await host.AddSampleAsync(0);
        var datatype = new string('D', 5 << 20);

        using var response = await host.InvokeAsync(good.Name, $$"""{"inputs":[{"name":"x","shape":[1,8],"datatype":"{{datatype}}","data":[1,2,3,4,5,6,7,8]}]}""");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length < 2_000, $"{text.Length}-character error body");
        await AssertErrorAsync(response, 424, "ModelError", $"unknown datatype '{new string('D', 64)}...' ({5 << 20} characters)");
        Assert.Contains(logs.Entries, e => e.Message.Contains("unknown datatype", StringComparison.Ordinal));
        Assert.All(logs.Entries, e => Assert.True(e.Message.Length < 2_000, $"{e.Message.Length}-character log line from {e.Category}"));
    }

    private static ByteArrayContent Content(string body, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task A_signature_mismatch_is_a_client_error_from_the_model_listing_its_signature(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        await host.AddSampleAsync(0);

        using var response = await host.InvokeAsync("fp32-000.onnx", """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""");

        using var error = await AssertErrorAsync(response, 424, "ModelError", "The model expects inputs [x: FP32[-1,8]], outputs [y: FP32[-1,4]]");
        Assert.Equal("CLIENT_ERROR_FROM_MODEL", error.RootElement.GetProperty("ErrorCode").GetString());
        Assert.Equal(400, error.RootElement.GetProperty("OriginalStatusCode").GetInt32());
        Assert.Contains("x: FP32[-1,8]", error.RootElement.GetProperty("OriginalMessage").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task An_unknown_endpoint_is_named_with_the_account(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);

        using var response = await host.InvokeAsync("fp32-000.onnx", ValidX, endpoint: "other");

        await AssertErrorAsync(response, 400, "ValidationError", "Endpoint other of account 000000000000 not found.");
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task A_body_over_six_mebibytes_is_refused_with_413(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        var good = await host.AddSampleAsync(0);

        using var response = await host.InvokeAsync("fp32-000.onnx", new byte[(6 * 1024 * 1024) + 1]);

        await AssertErrorAsync(response, 413, "ValidationError", "exceeds the limit of 6291456 bytes");
        await host.AssertServesAsync(good);
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task A_body_of_exactly_six_mebibytes_is_read(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        await host.AddSampleAsync(0);
        var body = new byte[6 * 1024 * 1024];
        Array.Fill(body, (byte)' ');
        ValidX.Select(c => (byte)c).ToArray().CopyTo(body, 0);

        using var response = await host.InvokeAsync("fp32-000.onnx", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task A_corrupt_model_fails_naming_the_model_and_cause_while_others_serve(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        var good = await host.AddSampleAsync(0);
        await host.PutAsync("corrupt.onnx", "not an onnx model at all"u8.ToArray());

        using var response = await host.InvokeAsync("corrupt.onnx", ValidX);

        using var error = await AssertErrorAsync(response, 424, "ModelError", "Model 'corrupt.onnx' could not be loaded: ONNX Runtime rejected the model");
        Assert.Equal("INTERNAL_FAILURE_FROM_MODEL", error.RootElement.GetProperty("ErrorCode").GetString());
        await host.AssertServesAsync(good);
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task Error_messages_name_model_keys_never_a_server_path(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        await host.PutAsync("team/corrupt.onnx", "not an onnx model at all"u8.ToArray());
        await host.PutAsync("empty.tar.gz", new TestArchive().File("readme.txt", [1]).Build());

        using var missing = await host.InvokeAsync("team/absent.onnx", ValidX);
        using var corrupt = await host.InvokeAsync("team/corrupt.onnx", ValidX);
        using var empty = await host.InvokeAsync("empty.tar.gz", ValidX);
        using var load = await host.Client.PostAsJsonAsync("/models", new { model_name = "m", url = "team/absent.onnx" });

        var keyForm = store == StoreKind.S3 ? $"(bucket: {host.Bucket!.Bucket}, key: models/team/absent.onnx)" : "(key: team/absent.onnx)";
        (await AssertErrorAsync(missing, 400, "ValidationError", keyForm)).Dispose();
        (await AssertErrorAsync(corrupt, 424, "ModelError", "Model 'team/corrupt.onnx' could not be loaded")).Dispose();
        (await AssertErrorAsync(empty, 424, "ModelError", "the archive holds no model.onnx")).Dispose();
        (await AssertErrorAsync(load, 404, "ValidationError", keyForm)).Dispose();
        foreach (var response in new[] { missing, corrupt, empty, load })
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(host.Root, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Path.GetTempPath(), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Environment.CurrentDirectory, text, StringComparison.Ordinal);
        }
    }

    public static TheoryData<StoreKind, string, string> HostileArchives()
    {
        var model = SampleModelFactory.Create(0, 20_000).Onnx;
        (byte[] Archive, string Reason)[] cases =
        [
            (new TestArchive().File("model.onnx", model).File("../x", [1]).Build(), "contains '..'"),
            (new TestArchive().File("model.onnx", model).File("/tmp/openmme-absolute-x", [1]).Build(), "absolute path"),
            (new TestArchive().SymbolicLink("out", "../..").File("out/x", [1]).File("model.onnx", model).Build(), "outside the model folder"),
            (new TestArchive().File("model.onnx", model).File("padding.bin", new byte[11 << 20]).Build(), "more than 10485760 bytes"),
        ];
        var data = new TheoryData<StoreKind, string, string>();
        foreach (var store in new[] { StoreKind.LocalFolder, StoreKind.S3 })
        {
            foreach (var (archive, reason) in cases)
            {
                data.Add(store, Convert.ToBase64String(archive), reason);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HostileArchives))]
    public async Task Hostile_archives_fail_that_model_and_write_nothing_outside_the_cache(StoreKind store, string archive, string reason)
    {
        await using var host = await HostFixture.StartAsync(store);
        var good = await host.AddSampleAsync(0);
        await host.PutAsync("evil.tar.gz", Convert.FromBase64String(archive));

        using var response = await host.InvokeAsync("evil.tar.gz", ValidX);

        await AssertErrorAsync(response, 424, "ModelError", reason);
        Assert.False(File.Exists("/tmp/openmme-absolute-x"));
        foreach (var file in Directory.EnumerateFileSystemEntries(host.Root, "*", SearchOption.AllDirectories))
        {
            Assert.True(file.StartsWith(host.ModelFolder, StringComparison.Ordinal) || file.StartsWith(host.CacheFolder, StringComparison.Ordinal), file);
        }

        Assert.All(host.CacheFolders, folder => Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(folder, "staging"))));
        Assert.All(host.Disks, d => Assert.Equal(0, d.Count));
        await host.AssertServesAsync(good);
    }

    private static async Task<JsonDocument> AssertErrorAsync(HttpResponseMessage response, int status, string code, string message)
    {
        var text = await response.Content.ReadAsStringAsync();
        text = text.Length > 4_000 ? text[..4_000] : text;
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(code, HostFixture.Header(response, "x-amzn-ErrorType"));
        var document = JsonDocument.Parse(text);
        Assert.Contains(message, document.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        return document;
    }
}
