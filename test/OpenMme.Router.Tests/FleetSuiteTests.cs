using System.Net.Http.Headers;
using System.Text.Json;

namespace OpenMme.Router;

/// <summary>
/// The single-instance suites' core cases through a router in front of two instances, on both
/// stores: every sample kind answers its references, and every bad input gets the exact code an
/// instance alone gives.
/// </summary>
public sealed class FleetSuiteTests
{
    public static TheoryData<bool> Stores => new() { false, true };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Every_sample_kind_answers_its_references_through_the_router(bool s3)
    {
        await using var fleet = await FleetFixture.StartAsync(instances: 2, models: 8, s3: s3);

        foreach (var sample in fleet.Samples)
        {
            using var cold = await fleet.InvokeAsync(sample);
            await FleetFixture.AssertCorrectAsync(sample, cold);
            using var warm = await fleet.InvokeAsync(sample);
            await FleetFixture.AssertCorrectAsync(sample, warm);
            Assert.Equal("hit", FleetFixture.Header(warm, "X-OpenMme-Cache"));
        }
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Bad_input_gets_the_same_sagemaker_codes_through_the_router(bool s3)
    {
        await using var fleet = await FleetFixture.StartAsync(instances: 2, models: 1, s3: s3);
        var good = fleet.Samples[0];

        await AssertErrorAsync(await SendAsync(fleet, "missing.onnx", "{}"u8.ToArray()), 400, "ValidationError", "missing.onnx");
        await AssertErrorAsync(await SendAsync(fleet, good.Name, "{not json"u8.ToArray()), 424, "ModelError", "not valid JSON");
        await AssertErrorAsync(await SendAsync(fleet, good.Name, "x"u8.ToArray(), "image/png"), 415, "ValidationError", "image/png");
        await AssertErrorAsync(await SendAsync(fleet, good.Name, new byte[(6 << 20) + 1]), 413, "ValidationError", "exceeds the limit");
        await AssertErrorAsync(await SendAsync(fleet, null, "{}"u8.ToArray()), 400, "ValidationError", "X-Amzn-SageMaker-Target-Model");

        // Nothing above hurt the model.
        using var response = await fleet.InvokeAsync(good);
        await FleetFixture.AssertCorrectAsync(good, response);
    }

    private static Task<HttpResponseMessage> SendAsync(FleetFixture fleet, string? target, byte[] body, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/endpoints/local/invocations") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (target is not null)
        {
            request.Headers.Add("X-Amzn-SageMaker-Target-Model", target);
        }

        return fleet.Client.SendAsync(request);
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, int status, string code, string message)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
            Assert.Equal(code, FleetFixture.Header(response, "x-amzn-ErrorType"));
            using var document = JsonDocument.Parse(text);
            Assert.Contains(message, document.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }
}
