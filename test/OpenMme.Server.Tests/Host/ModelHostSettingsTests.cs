using OpenMme.TestSupport;

namespace OpenMme.Host;

public sealed class ModelHostSettingsTests
{
    [Fact]
    public void A_local_model_folder_must_exist()
    {
        using var directory = new TempDirectory();
        var missing = directory.Combine("absent");

        var problems = new ModelHostSettings { ModelSource = missing }.Validate();

        Assert.Equal($"--models {missing}: the folder {missing} does not exist. Create it and put model artifacts (.onnx, .tar.gz) in it, or name the folder that holds them.",
            Assert.Single(problems));
        Assert.Empty(new ModelHostSettings { ModelSource = directory.Path }.Validate());
        Assert.Empty(new ModelHostSettings { ModelSource = new Uri(directory.Path + "/").AbsoluteUri }.Validate());
    }

    [Fact]
    public void The_local_model_folder_is_known_for_folders_and_file_urls_only()
    {
        using var directory = new TempDirectory();

        Assert.Equal(directory.Path, new ModelHostSettings { ModelSource = directory.Path }.LocalModelFolder);
        Assert.Equal(directory.Path, new ModelHostSettings { ModelSource = new Uri(directory.Path + "/").AbsoluteUri }.LocalModelFolder);
        Assert.Null(new ModelHostSettings { ModelSource = "s3://bucket/models/" }.LocalModelFolder);
        Assert.Null(new ModelHostSettings { ModelSource = "http://example/models/" }.LocalModelFolder);
    }

    [Fact]
    public void A_source_that_is_not_one_and_an_unknown_policy_are_named_with_what_would_be_right()
    {
        var problems = new ModelHostSettings { ModelSource = "http://example/models/", EvictionPolicy = "lfu" }.Validate();

        Assert.Equal(
            [
                "--models 'http://example/models/' is not a model source: use a folder, file:///DIR/ or s3://bucket/prefix/.",
                "--eviction-policy 'lfu' is not a policy; use one of lru, gdsf, tinylfu.",
            ],
            problems);
    }
}
