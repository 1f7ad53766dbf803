namespace OpenMme.Store;

public sealed class ModelKeyTests
{
    [Theory]
    [InlineData("model.onnx")]
    [InlineData("fraud/v3.tar.gz")]
    [InlineData("a..b/c.onnx")]
    public void Accepts_relative_keys(string key) => Assert.Null(ModelKey.Check(key));

    [Theory]
    [InlineData("", "empty")]
    [InlineData(" model.onnx", "whitespace")]
    [InlineData("../model.onnx", "'..'")]
    [InlineData("a/../../b.onnx", "'..'")]
    [InlineData("a\\..\\b.onnx", "'..'")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("a\u0001b", "printable")]
    public void Rejects_keys_a_user_must_fix(string key, string reason) =>
        Assert.Contains(reason, ModelKey.Check(key), StringComparison.Ordinal);

    [Fact]
    public void Rejects_keys_longer_than_1024_characters()
    {
        Assert.Null(ModelKey.Check(new string('a', 1024)));
        Assert.Contains("1025 characters", ModelKey.Check(new string('a', 1025)), StringComparison.Ordinal);
    }
}
