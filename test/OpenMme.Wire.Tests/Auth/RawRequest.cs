using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace OpenMme.Wire.Auth;

/// <summary>
/// A request written as HTTP/1.1 text (the test suite's <c>.req</c>/<c>.sreq</c>), made into the
/// <see cref="HttpRequest"/> Kestrel would hand over: the target as sent in the raw target, headers
/// in their order (a folded line joined to the one before with a space, as RFC 7230 unfolds it).
/// </summary>
internal sealed class RawRequest
{
    private RawRequest(string method, string target, List<KeyValuePair<string, string>> headers, byte[] body)
    {
        Method = method;
        Target = target;
        Headers = headers;
        Body = body;
    }

    public string Method { get; }

    public string Target { get; }

    public List<KeyValuePair<string, string>> Headers { get; }

    public byte[] Body { get; }

    public static RawRequest Parse(string text)
    {
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = split < 0 ? text : text[..split];
        var body = split < 0 ? [] : Encoding.UTF8.GetBytes(text[(split + 2)..]);
        var lines = head.Split('\n');
        var requestLine = lines[0];
        var first = requestLine.IndexOf(' ', StringComparison.Ordinal);
        var last = requestLine.LastIndexOf(' ');
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length > 0 && line[0] is ' ' or '\t')
            {
                var previous = headers[^1];
                headers[^1] = new(previous.Key, previous.Value + " " + line.Trim());
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }

        return new RawRequest(requestLine[..first], requestLine[(first + 1)..last], headers, body);
    }

    public HttpRequest ToHttpRequest()
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = Method;
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = Target;
        var question = Target.IndexOf('?', StringComparison.Ordinal);
        request.Path = question < 0 ? Target : Target[..question];
        request.QueryString = question < 0 ? QueryString.Empty : new QueryString(Target[question..]);
        foreach (var (name, value) in Headers)
        {
            request.Headers.Append(name, value);
        }

        return request;
    }
}
