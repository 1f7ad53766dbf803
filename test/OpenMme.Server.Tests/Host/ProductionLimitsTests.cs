using System.Diagnostics;
using System.Net;
using OpenMme.MemoryTier;
using OpenMme.Runtime.Onnx;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.Host;

/// <summary>Concurrency limit, cold-load timeout, memory refusal and draining, on a real instance.</summary>
public sealed class ProductionLimitsTests
{
    [Fact]
    public async Task Clients_beyond_limit_and_queue_get_503_with_retry_after_at_once_and_admitted_ones_are_correct()
    {
        var runtime = new TrackingRuntime(new OnnxModelRuntime(new OnnxRuntimeOptions()));
        await using var host = await HostFixture.StartAsync(StoreKind.LocalFolder,
            s => s with { MaxConcurrentInvocations = 2, InvocationQueueLimit = 2 }, runtime: runtime);
        var sample = await host.AddSampleAsync(0);
        using (var warm = await host.InvokeSampleAsync(sample))
        {
            await HostFixture.AssertExpectedAsync(sample, warm);
        }

        // Runs block their thread for the delay: make sure sixteen requests can be read at once.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), io);
        runtime.RunDelay = TimeSpan.FromSeconds(1);
        var clock = Stopwatch.StartNew();
        var calls = Enumerable.Range(0, 16).Select(async _ =>
        {
            var response = await host.InvokeSampleAsync(sample);
            return (Response: response, Done: clock.Elapsed);
        }).ToArray();
        var results = await Task.WhenAll(calls);

        var admitted = results.Where(r => r.Response.StatusCode == HttpStatusCode.OK).ToList();
        var refused = results.Where(r => r.Response.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.Equal(16, admitted.Count + refused.Count);
        Assert.InRange(admitted.Count, 4, 8);
        Assert.True(refused.Count >= 8, $"{refused.Count} refused");
        var firstAdmittedDone = admitted.Min(r => r.Done);
        foreach (var (response, done) in refused)
        {
            Assert.Equal("ServiceUnavailable", HostFixture.Header(response, "x-amzn-ErrorType"));
            Assert.Equal("1", response.Headers.RetryAfter?.ToString());
            Assert.True(done < firstAdmittedDone, "a refused request waited for a slot");
        }

        foreach (var (response, _) in admitted)
        {
            await HostFixture.AssertExpectedAsync(sample, response);
        }

        foreach (var (response, _) in results)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_load_outlasting_the_invocation_timeout_answers_429_and_a_later_call_200_without_a_second_load()
    {
        var runtime = new TrackingRuntime(new OnnxModelRuntime(new OnnxRuntimeOptions())) { LoadDelay = TimeSpan.FromSeconds(2) };
        await using var host = await HostFixture.StartAsync(StoreKind.LocalFolder, s => s with { InvocationTimeout = TimeSpan.FromMilliseconds(300) }, runtime: runtime);
        var sample = await host.AddSampleAsync(0);

        using (var first = await host.InvokeSampleAsync(sample))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
            Assert.Equal("ModelNotReadyException", HostFixture.Header(first, "x-amzn-ErrorType"));
            Assert.Contains("still loading", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        HttpResponseMessage? later = null;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            later?.Dispose();
            await Task.Delay(200);
            later = await host.InvokeSampleAsync(sample);
            if (later.StatusCode == HttpStatusCode.OK)
            {
                break;
            }
        }

        using (later)
        {
            await HostFixture.AssertExpectedAsync(sample, later!);
        }

        Assert.Equal(1, runtime.Loads);
    }

    [Fact]
    public async Task A_model_larger_than_the_memory_budget_gets_507_and_other_models_keep_serving()
    {
        var small = ModelFootprint.Estimate(SampleModelFactory.Create(0, 20_000).Onnx.Length);
        await using var host = await HostFixture.StartAsync(StoreKind.LocalFolder, s => s with { MemoryBudgetBytes = 2 * small });
        var good = await host.AddSampleAsync(0);
        var large = await host.AddSampleAsync(1, 2_000_000);

        using var refused = await host.InvokeSampleAsync(large);

        Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
        Assert.Contains("more than the whole memory budget", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await host.AssertServesAsync(good);
    }

    /// <summary>One instance's drain; the fleet's side of it (an instance leaving the set) is the router's tests'.</summary>
    [Fact]
    [Trait("Scope", "Instance")]
    public async Task Shutdown_answers_ping_503_while_draining_finishes_in_flight_requests_then_unloads()
    {
        var runtime = new TrackingRuntime(new OnnxModelRuntime(new OnnxRuntimeOptions()));
        await using var host = await HostFixture.StartAsync(StoreKind.LocalFolder, s => s with { DrainDelay = TimeSpan.FromSeconds(1) }, runtime: runtime);
        var sample = await host.AddSampleAsync(0);
        using (var warm = await host.InvokeSampleAsync(sample))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        runtime.RunDelay = TimeSpan.FromMilliseconds(1500);
        var inFlight = host.InvokeSampleAsync(sample);
        await Task.Delay(200);
        var stopping = Task.Run(host.StopAsync);
        await Task.Delay(200);
        using (var ping = await host.Client.GetAsync("/ping"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ping.StatusCode);
        }

        using (var response = await inFlight)
        {
            await HostFixture.AssertExpectedAsync(sample, response);
        }

        await stopping;
        (host.Services as IDisposable)?.Dispose();
        Assert.Equal(runtime.Loads, runtime.Disposed);
        Assert.Equal(0, runtime.DisposedWhileRunning);
    }

    [Fact]
    public async Task Loads_evictions_and_errors_are_logged_once_each_with_the_request_id()
    {
        var logs = new CollectingLoggerProvider();
        var one = ModelFootprint.Estimate(Enumerable.Range(0, 2).Max(i => SampleModelFactory.Create(i, 10_000).Onnx.Length));
        await using var host = await HostFixture.StartAsync(StoreKind.LocalFolder, s => s with { MemoryBudgetBytes = one }, logs: logs);
        var names = host.NamesOnOneInstance(2);
        var a = await host.AddSampleAsync(0, 10_000, name: names[0]);
        var b = await host.AddSampleAsync(1, 10_000, name: names[1]);
        using var first = await host.InvokeSampleAsync(a);
        using var second = await host.InvokeSampleAsync(b);
        using var failed = await host.InvokeAsync("absent.onnx", "{}");

        string RequestId(HttpResponseMessage response) => HostFixture.Header(response, "x-amzn-RequestId");
        var entries = logs.Entries.ToList();
        Assert.Single(entries, e => e.Message.StartsWith($"Loaded {a.Name}", StringComparison.Ordinal) && HasRequestId(e.State, RequestId(first)));
        Assert.Single(entries, e => e.Message.StartsWith($"Evicted {a.Name} (memory", StringComparison.Ordinal) && HasRequestId(e.State, RequestId(second)));
        Assert.Single(entries, e => e.Message.StartsWith("Invocation of absent.onnx failed (ArtifactNotFound", StringComparison.Ordinal) && HasRequestId(e.State, RequestId(failed)));
    }

    private static bool HasRequestId(IReadOnlyList<KeyValuePair<string, object?>> state, string requestId) =>
        state.Any(p => p.Key == "RequestId" && (p.Value as string) == requestId);
}
