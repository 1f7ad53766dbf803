namespace OpenMme.Configuration;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("1048576", 1_048_576)]
    [InlineData("512MB", 512_000_000)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1.5 GiB", 3L << 29)]
    [InlineData("100KB", 100_000)]
    [InlineData("64KiB", 65_536)]
    [InlineData("10G", 10L << 30)]
    [InlineData("1TB", 1_000_000_000_000)]
    public void Parses_sizes_with_decimal_and_binary_units(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, null, out var bytes, out var error), error);
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void A_percentage_is_a_share_of_the_given_total()
    {
        Assert.True(ByteSize.TryParse("60%", 1000, out var bytes, out _));
        Assert.Equal(600, bytes);
    }

    [Theory]
    [InlineData("60%", "only for the memory budget")]
    [InlineData("lots", "is not a size")]
    [InlineData("-5MB", "is not a size")]
    [InlineData("", "is not a size")]
    public void Rejects_what_is_not_a_size_with_an_example(string text, string reason)
    {
        Assert.False(ByteSize.TryParse(text, null, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Percentages_must_be_within_range() => Assert.False(ByteSize.TryParse("150%", 1000, out _, out _));
}
