using System.Net;
using DnsClient;

namespace OpenMme.Router;

/// <summary>Where the fleet's members come from.</summary>
public interface IInstanceSource
{
    /// <summary>Describes the source for logs and the placement view.</summary>
    string Description { get; }

    /// <summary>The members now.</summary>
    Task<IReadOnlyList<Uri>> DiscoverAsync(CancellationToken cancellationToken);
}

/// <summary>A fixed list of instance addresses (<c>--instance URL</c>, or the children of <c>serve --instances N</c>).</summary>
public sealed class StaticInstances(IReadOnlyList<Uri> addresses) : IInstanceSource
{
    public string Description => string.Join(", ", addresses.Select(a => a.Authority));

    public Task<IReadOnlyList<Uri>> DiscoverAsync(CancellationToken cancellationToken) => Task.FromResult(addresses);
}

/// <summary>
/// Every A and AAAA record of one DNS name, on one port: a Kubernetes headless Service. Asked
/// again at every refresh; the system resolver by default, or a given server (tests, or a
/// cluster DNS at a known address).
/// </summary>
public sealed class DnsInstances : IInstanceSource
{
    private readonly string _name;
    private readonly int _port;
    private readonly LookupClient _client;

    public DnsInstances(string name, int port, IPEndPoint? server = null)
    {
        _name = name;
        _port = port;
        var options = server is null ? new LookupClientOptions() : new LookupClientOptions(new NameServer(server));
        options.UseCache = false;
        options.Timeout = TimeSpan.FromSeconds(2);
        options.Retries = 1;
        _client = new LookupClient(options);
    }

    public string Description => $"dns:{_name}:{_port}";

    public async Task<IReadOnlyList<Uri>> DiscoverAsync(CancellationToken cancellationToken)
    {
        var addresses = new List<Uri>();
        string? failed = null;
        foreach (var type in new[] { QueryType.A, QueryType.AAAA })
        {
            var answer = await _client.QueryAsync(_name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
            if (answer.HasError && answer.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
            {
                // A server may refuse one family and answer the other (dnsmasq without upstream
                // refuses AAAA for a name it has only A records of): the lookup fails only when
                // neither answered.
                if (failed is not null)
                {
                    throw new InvalidOperationException($"DNS lookup of {_name} failed: {failed}; {type}: {answer.ErrorMessage}");
                }

                failed = $"{type}: {answer.ErrorMessage}";
                continue;
            }

            foreach (var record in answer.Answers.AddressRecords())
            {
                addresses.Add(new UriBuilder(Uri.UriSchemeHttp, record.Address.ToString(), _port).Uri);
            }
        }

        return addresses;
    }
}
