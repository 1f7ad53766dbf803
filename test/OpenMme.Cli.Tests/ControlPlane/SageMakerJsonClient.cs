using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenMme.Cli.ControlPlane;

/// <summary>The control plane's JSON 1.1 wire as an SDK speaks it: <c>POST /</c>, <c>X-Amz-Target</c>, the JSON 1.1 content type.</summary>
internal sealed class SageMakerJsonClient(Uri address) : IDisposable
{
    private readonly HttpClient _client = new() { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };

    public async Task<(int Status, JsonElement Body)> CallAsync(string operation, JsonObject request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/");
        message.Headers.Add("X-Amz-Target", "SageMaker." + operation);
        message.Content = new StringContent(request.ToJsonString(), Encoding.UTF8);
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        using var response = await _client.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone());
    }

    /// <summary>Calls an operation that must succeed.</summary>
    public async Task<JsonElement> OkAsync(string operation, JsonObject request)
    {
        var (status, body) = await CallAsync(operation, request);
        Assert.True(status == 200, $"{operation} answered {status}: {body}");
        return body;
    }

    /// <summary>Calls an operation that must be refused with <paramref name="type"/>; returns the message.</summary>
    public async Task<string> RefusedAsync(string operation, JsonObject request, string type = "ValidationException")
    {
        var (status, body) = await CallAsync(operation, request);
        Assert.Equal(400, status);
        Assert.Equal(type, body.GetProperty("__type").GetString());
        return body.GetProperty("message").GetString()!;
    }

    /// <summary>Describes the endpoint until it is InService or Failed (or the timeout passes); returns the last description.</summary>
    public async Task<JsonElement> WaitSettledAsync(string endpoint, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var description = await OkAsync("DescribeEndpoint", new JsonObject { ["EndpointName"] = endpoint });
            var status = description.GetProperty("EndpointStatus").GetString();
            if (status is "InService" or "Failed" || DateTime.UtcNow > deadline)
            {
                return description;
            }

            await Task.Delay(200);
        }
    }

    public async Task<HttpResponseMessage> InvokeAsync(string endpoint, string? targetModel, byte[] body)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/endpoints/{endpoint}/invocations") { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (targetModel is not null)
        {
            message.Headers.Add("X-Amzn-SageMaker-Target-Model", targetModel);
        }

        return await _client.SendAsync(message);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The pids of running <c>openmme host</c> processes that serve <paramref name="endpoint"/> (from /proc).</summary>
    public static List<int> HostProcesses(string endpoint)
    {
        var pids = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
                var at = Array.IndexOf(arguments, "--endpoint-name");
                if (arguments.Contains("host") && at >= 0 && at + 1 < arguments.Length && arguments[at + 1] == endpoint)
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return pids;
    }
}
