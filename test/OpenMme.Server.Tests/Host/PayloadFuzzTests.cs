using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using OpenMme.Samples;
using OpenMme.TestSupport;
using Xunit.Abstractions;

namespace OpenMme.Host;

/// <summary>
/// Seeded fuzzing of a real instance over Kestrel: mutated bodies on the runtime API and both
/// container-contract routes never get a 5xx, never lose their connection, always get a short
/// SageMaker-shaped error, and every model still answers correctly afterwards.
/// </summary>
public sealed class PayloadFuzzTests(ITestOutputHelper output)
{
    private const int Workers = 2;
    private const int MaxRequestsPerWorker = 2_000;
    private const int MaxMessage = 1_000;
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(8);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Mutated_bodies_never_get_a_5xx_or_a_dropped_connection_and_models_stay_correct(int seed)
    {
        await using var host = await HostFixture.StartAsync();
        var bodies = new List<SampleBody>();
        var samples = new List<SampleModel>();
        for (var i = 0; i < 4; i++)
        {
            var sample = await host.AddSampleAsync(i);
            samples.Add(sample);
            bodies.AddRange(SampleBody.AllFor(sample));
            using var load = await host.Client.PostAsync("/models",
                new StringContent($$"""{"model_name":"{{sample.Name}}","url":"{{sample.Name}}"}""", MediaTypeHeaderValue.Parse("application/json")));
            Assert.True(load.IsSuccessStatusCode, await load.Content.ReadAsStringAsync());
        }

        var clock = Stopwatch.StartNew();
        var workers = new Task<(int Requests, int Answered, List<string> Problems)>[Workers];
        for (var w = 0; w < Workers; w++)
        {
            var mutator = new PayloadMutator((seed * 100) + w);
            workers[w] = Task.Run(() => FuzzAsync(host.Client, mutator, bodies, clock));
        }

        var results = await Task.WhenAll(workers);
        var problems = results.SelectMany(r => r.Problems).ToList();
        output.WriteLine($"seed {seed}: {results.Sum(r => r.Requests)} requests in {clock.Elapsed.TotalSeconds:F1} s, {results.Sum(r => r.Answered)} answered 200");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(5)));
        Assert.True(results.Sum(r => r.Answered) > 0, "no mutated body got through: the fuzzer tests nothing past the decoders");

        foreach (var sample in samples)
        {
            await host.AssertServesAsync(sample);
            using var viaContainer = await host.Client.PostAsync($"/models/{sample.Name}/invoke", new ByteArrayContent(SampleWriter.RequestJson(sample)));
            await HostFixture.AssertExpectedAsync(sample, viaContainer);
        }
    }

    private static async Task<(int Requests, int Answered, List<string> Problems)> FuzzAsync(
        HttpClient client, PayloadMutator mutator, List<SampleBody> bodies, Stopwatch clock)
    {
        var problems = new List<string>();
        int requests = 0, answered = 0;
        for (; requests < MaxRequestsPerWorker && clock.Elapsed < MaxTime && problems.Count < 5; requests++)
        {
            var target = bodies[mutator.Random.Next(bodies.Count)];
            var body = mutator.Mutate(target.Body, bodies[mutator.Random.Next(bodies.Count)].Body);
            var route = mutator.Random.Next(3);
            using var request = new HttpRequestMessage(HttpMethod.Post, route switch
            {
                0 => "/endpoints/local/invocations",
                1 => "/invocations",
                _ => $"/models/{target.Sample.Name}/invoke",
            })
            {
                Content = new ByteArrayContent(body),
            };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(target.ContentType);
            if (route < 2)
            {
                request.Headers.Add("X-Amzn-SageMaker-Target-Model", target.Sample.Name);
            }

            var problem = await SendAsync(client, request, route == 0);
            if (problem is null)
            {
                answered++;
            }
            else if (problem.Length > 0)
            {
                problems.Add($"request {requests} ({target.Format} on {target.Sample.Name}, {request.RequestUri}): {problem}\n  body ({body.Length} bytes): {Convert.ToBase64String(body[..Math.Min(body.Length, 300)])}");
            }
        }

        return (requests, answered, problems);
    }

    /// <summary>Null for a 200, empty for a well-formed refusal, else what was wrong with the answer.</summary>
    private static async Task<string?> SendAsync(HttpClient client, HttpRequestMessage request, bool runtimeApi)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request);
        }
        catch (HttpRequestException e)
        {
            return $"the connection failed: {e.Message}";
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            if (status == 200)
            {
                return text.Length > 0 ? null : "an empty 200";
            }

            var code = HostFixture.Header(response, "x-amzn-ErrorType");
            if (status is not (400 or 424) || code.Length == 0)
            {
                return $"{status} {code}: {text[..Math.Min(text.Length, 500)]}";
            }

            using var error = JsonDocument.Parse(text);
            var message = error.RootElement.GetProperty("message").GetString()!;
            if (message.Length > MaxMessage)
            {
                return $"a {message.Length}-character message: {message[..200]}";
            }

            // On the runtime API a payload error is the model's client error; on the container contract a
            // plain 400. A 400 on the runtime API is an npy response asked of a two-output model.
            var errorCode = error.RootElement.TryGetProperty("ErrorCode", out var value) ? value.GetString() : null;
            return (runtimeApi, status, code, errorCode) switch
            {
                (true, 424, "ModelError", "CLIENT_ERROR_FROM_MODEL" or "INTERNAL_FAILURE_FROM_MODEL") => string.Empty,
                (_, 400, "ValidationError", null) => string.Empty,
                (false, 424, "ModelError", "INTERNAL_FAILURE_FROM_MODEL") => string.Empty,
                _ => $"{status} {code} {errorCode}: {message}",
            };
        }
    }
}
