using System.Security.Cryptography;
using OpenMme.Store;

namespace OpenMme.DiskTier;

public sealed class VerifyingStreamTests
{
    private static readonly byte[] Check = "123456789"u8.ToArray();

    [Fact]
    public async Task Crc32_is_written_big_endian_in_base64_as_s3_does()
    {
        // CRC-32 of "123456789" is 0xCBF43926, the standard check value.
        using var stream = new VerifyingStream(new MemoryStream(Check), new ArtifactChecksum("CRC32", "y/Q5Jg=="), "(key: check)");
        await stream.CopyToAsync(Stream.Null);

        Assert.Equal("y/Q5Jg==", stream.Digest());
        Assert.Equal(9, stream.BytesRead);
    }

    [Fact]
    public async Task Sha256_digests_the_whole_stream()
    {
        using var stream = new VerifyingStream(new MemoryStream(Check), new ArtifactChecksum("SHA256", "x"), "(key: check)");
        await stream.CopyToAsync(Stream.Null);

        Assert.Equal(Convert.ToBase64String(SHA256.HashData(Check)), stream.Digest());
    }

    [Fact]
    public async Task Without_a_checksum_only_bytes_are_counted()
    {
        using var stream = new VerifyingStream(new MemoryStream(Check), null, "(key: check)");
        await stream.CopyToAsync(Stream.Null);

        Assert.Null(stream.Digest());
        Assert.Equal(9, stream.BytesRead);
    }
}
