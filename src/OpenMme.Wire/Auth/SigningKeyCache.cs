using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace OpenMme.Wire.Auth;

/// <summary>
/// Signing keys (four HMACs from the secret) by credential, <c>AKID/DATE/REGION/SERVICE/aws4_request</c>:
/// a key id names one secret, so this is one key per secret, day, region and service. Only keys that
/// verified a request are kept, and at most <see cref="Capacity"/> of them, so refused requests with
/// made-up scopes cannot grow it.
/// </summary>
internal sealed class SigningKeyCache
{
    public const int Capacity = 1024;
    public const int KeyBytes = 32;

    private readonly ConcurrentDictionary<string, byte[]> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public SigningKeyCache() => _lookup = _keys.GetAlternateLookup<ReadOnlySpan<char>>();

    public int Count => _keys.Count;

    /// <summary>Writes the signing key of <paramref name="authorization"/>'s credential; true when it came from the cache.</summary>
    public bool Get(scoped in SigV4Authorization authorization, string secret, Span<byte> key)
    {
        if (_lookup.TryGetValue(authorization.Credential, out var cached))
        {
            cached.CopyTo(key);
            return true;
        }

        Derive(secret, authorization.Date, authorization.Region, authorization.Service, authorization.Terminator, key);
        return false;
    }

    /// <summary>Keeps a key that verified a request.</summary>
    public void Keep(scoped in SigV4Authorization authorization, ReadOnlySpan<byte> key)
    {
        if (_keys.Count >= Capacity)
        {
            // Dates move on: yesterday's keys are dead weight. Start again rather than track age.
            _keys.Clear();
        }

        _lookup.TryAdd(authorization.Credential, key.ToArray());
    }

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").</summary>
    public static void Derive(string secret, ReadOnlySpan<char> date, ReadOnlySpan<char> region, ReadOnlySpan<char> service, ReadOnlySpan<char> terminator, Span<byte> key)
    {
        Span<byte> secretBytes = stackalloc byte[4 + Encoding.UTF8.GetMaxByteCount(RequestSigningSettings.MaxSecretLength)];
        "AWS4"u8.CopyTo(secretBytes);
        var secretLength = 4 + Encoding.UTF8.GetBytes(secret, secretBytes[4..]);
        Span<byte> part = stackalloc byte[Encoding.UTF8.GetMaxByteCount(SigV4Verifier.MaxScopePartLength)];
        HMACSHA256.HashData(secretBytes[..secretLength], part[..Encoding.UTF8.GetBytes(date, part)], key);
        CryptographicOperations.ZeroMemory(secretBytes);
        Span<byte> previous = stackalloc byte[KeyBytes];
        key.CopyTo(previous);
        HMACSHA256.HashData(previous, part[..Encoding.UTF8.GetBytes(region, part)], key);
        key.CopyTo(previous);
        HMACSHA256.HashData(previous, part[..Encoding.UTF8.GetBytes(service, part)], key);
        key.CopyTo(previous);
        HMACSHA256.HashData(previous, part[..Encoding.UTF8.GetBytes(terminator, part)], key);
        CryptographicOperations.ZeroMemory(previous);
    }
}
