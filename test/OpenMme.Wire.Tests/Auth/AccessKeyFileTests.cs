namespace OpenMme.Wire.Auth;

/// <summary>Access keys from <c>--access-keys FILE</c> (lines or JSON) and the environment, and the sentences that say what is wrong.</summary>
public sealed class AccessKeyFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("openmme-keys-").FullName;

    [Fact]
    public void A_file_of_lines_gives_its_pairs_and_skips_comments_and_blank_lines()
    {
        var path = Write("keys", "# id secret\n\nAKIDONE  secret/one+\r\nAKIDTWO\tsecret-two\n");

        var keys = Load(path, out var problems);

        Assert.Empty(problems);
        Assert.Equal(new Dictionary<string, string> { ["AKIDONE"] = "secret/one+", ["AKIDTWO"] = "secret-two" }, keys);
    }

    [Fact]
    public void A_JSON_object_gives_its_pairs()
    {
        var keys = Load(Write("keys.json", """{ "AKIDONE": "s1", "AKIDTWO": "s2" }"""), out var problems);

        Assert.Empty(problems);
        Assert.Equal(new Dictionary<string, string> { ["AKIDONE"] = "s1", ["AKIDTWO"] = "s2" }, keys);
    }

    [Fact]
    public void The_environment_adds_one_pair()
    {
        var keys = Load(null, out var problems, new() { ["OPENMME_ACCESS_KEY_ID"] = "AKIDENV", ["OPENMME_SECRET_ACCESS_KEY"] = "env-secret" });

        Assert.Empty(problems);
        Assert.Equal(new Dictionary<string, string> { ["AKIDENV"] = "env-secret" }, keys);
    }

    [Fact]
    public void No_file_and_no_environment_is_no_keys()
    {
        Assert.Empty(Load(null, out var problems)!);
        Assert.Empty(problems);
    }

    [Fact]
    public void Each_mistake_is_named_with_its_place()
    {
        var path = Write("keys", "AKIDONE\nAKID/TWO secret\nAKIDTHREE a b\n");

        Assert.Null(Load(path, out var problems, new() { ["OPENMME_ACCESS_KEY_ID"] = "AKIDENV" }));

        Assert.Equal(
        [
            $"--access-keys {path} line 1: expected 'ACCESS_KEY_ID SECRET_ACCESS_KEY', two words separated by a space.",
            $"--access-keys {path} line 2: The access key id 'AKID/TWO' must have 1 to 128 characters and no '/', ',', '=' or white space, e.g. AKIAIOSFODNN7EXAMPLE.",
            $"--access-keys {path} line 3: expected 'ACCESS_KEY_ID SECRET_ACCESS_KEY', two words separated by a space.",
            $"--access-keys {path} holds no keys: write one 'ACCESS_KEY_ID SECRET_ACCESS_KEY' pair a line, or a JSON object {{\"ACCESS_KEY_ID\": \"SECRET_ACCESS_KEY\"}}.",
            "Only one of OPENMME_ACCESS_KEY_ID and OPENMME_SECRET_ACCESS_KEY is set: set both, or neither.",
        ], problems);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var path = Path.Combine(_folder, "absent");

        Assert.Null(Load(path, out var problems));

        Assert.StartsWith($"--access-keys {path}: the file cannot be read (", Assert.Single(problems), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static Dictionary<string, string>? Load(string? path, out List<string> problems, Dictionary<string, string>? environment = null)
    {
        problems = [];
        return AccessKeyFile.Load(path, name => environment?.GetValueOrDefault(name), problems);
    }
}
