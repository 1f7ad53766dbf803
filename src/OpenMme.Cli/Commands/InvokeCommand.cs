using System.CommandLine;
using System.Net.Http.Headers;
using OpenMme.Wire.Auth;

namespace OpenMme.Cli.Commands;

/// <summary><c>openmme invoke</c>: sends one request to an endpoint and prints the response.</summary>
internal static class InvokeCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { HelpName = "url", Description = "Base URL of the endpoint.", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var endpoint = new Option<string>("--endpoint-name") { HelpName = "name", Description = "Endpoint name.", DefaultValueFactory = _ => "local" };
        var model = new Option<string>("--model") { HelpName = "key", Description = "Target model (X-Amzn-SageMaker-Target-Model).", Required = true };
        var contentType = new Option<string>("--content-type") { HelpName = "type", Description = "Content type of the body.", DefaultValueFactory = _ => "application/json" };
        var accept = new Option<string?>("--accept") { HelpName = "type", Description = "Accept header." };
        var body = new Argument<string?>("body") { Description = "File with the request body; standard input when omitted or -.", Arity = ArgumentArity.ZeroOrOne };
        var signing = new ClientSigningOptions();
        var command = new Command("invoke", "Send one request to an endpoint and print the response.")
        {
            url, endpoint, model, contentType, accept, body,
        };
        signing.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            var (valid, signer) = await signing.BuildAsync(result, errors).ConfigureAwait(false);
            if (!valid)
            {
                return 2;
            }

            var path = result.GetValue(body);
            byte[] payload;
            if (path is null or "-")
            {
                using var input = new MemoryStream();
                await Console.OpenStandardInput().CopyToAsync(input, cancellationToken).ConfigureAwait(false);
                payload = input.ToArray();
            }
            else
            {
                payload = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            }

            using var client = signer is null ? new HttpClient() : new HttpClient(SigV4Signer.Handler(signer, TimeProvider.System, new SocketsHttpHandler()));
            var target = new Uri(new Uri(result.GetValue(url)!.TrimEnd('/') + "/"), $"endpoints/{Uri.EscapeDataString(result.GetValue(endpoint)!)}/invocations");
            using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(payload) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(result.GetValue(contentType)!);
            request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-Target-Model", result.GetValue(model));
            if (result.GetValue(accept) is { } acceptValue)
            {
                request.Headers.TryAddWithoutValidation("Accept", acceptValue);
            }

            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                await output.WriteLineAsync(text).ConfigureAwait(false);
                return 0;
            }

            var code = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? string.Join(",", values) : "error";
            await errors.WriteLineAsync($"{(int)response.StatusCode} {code}: {text}").ConfigureAwait(false);
            return 1;
        });
        return command;
    }
}
