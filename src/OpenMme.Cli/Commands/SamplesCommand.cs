using System.CommandLine;
using OpenMme.Configuration;
using OpenMme.Samples;
using OpenMme.Store;

namespace OpenMme.Cli.Commands;

/// <summary><c>openmme samples</c>: writes generated ONNX models with a request and expected response beside each.</summary>
internal static class SamplesCommand
{
    public static Command Create()
    {
        var outFolder = new Option<string>("--out") { HelpName = "folder", Description = "Folder to write the models into.", Required = true };
        var classic = new Option<bool>("--classic")
        {
            Description = "Write the four classic-ML samples instead (logistic regression and tree ensemble with string labels, "
                + "tree regressor, one-hot pipeline with integer labels), as skl2onnx writes them; --count and --size do not apply.",
        };
        var count = new Option<int>("--count") { Description = "Number of models (not with --classic).", DefaultValueFactory = _ => 4, CustomParser = OptionParsers.Int };
        var size = new Option<string>("--size") { HelpName = "size", Description = "Approximate size of each model, e.g. 100KB or 10MB (not with --classic).", DefaultValueFactory = _ => "100KB" };
        var seed = new Option<int>("--seed") { Description = "Seed of the weights and inputs.", DefaultValueFactory = _ => 1, CustomParser = OptionParsers.Int };
        var archive = new Option<bool>("--archive") { Description = "Write .tar.gz artifacts holding model.onnx instead of bare .onnx files." };
        var prefix = new Option<string>("--name-prefix") { HelpName = "prefix", Description = "Prefix of the file names, e.g. big- (to tell sets apart in one folder).", DefaultValueFactory = _ => string.Empty };
        var upload = new Option<string?>("--upload") { HelpName = "s3-prefix", Description = "Also upload the artifacts to this S3 prefix, e.g. s3://models/demo/." };
        var s3Endpoint = new Option<string?>("--s3-endpoint") { HelpName = "url", Description = "Endpoint of the S3-compatible store for --upload." };
        var command = new Command("samples", "Write ONNX sample models with a request and the expected response beside each: "
            + "MLPs (FP32, FP64, INT64, BOOL; multi-input and multi-output), or with --classic classic-ML models "
            + "(string and integer labels, probabilities as maps, string inputs).")
        {
            outFolder, classic, count, size, seed, archive, prefix, upload, s3Endpoint,
        };
        command.Validators.Add(parsed =>
        {
            if (parsed.GetValue(classic) && (parsed.GetResult(count) is { Implicit: false } || parsed.GetResult(size) is { Implicit: false }))
            {
                parsed.AddError("--count and --size do not apply to --classic, which always writes its four samples at their own size.");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            if (result.GetValue(prefix)!.IndexOfAny(['/', '\\']) >= 0)
            {
                await errors.WriteLineAsync("--name-prefix must not hold a path separator.").ConfigureAwait(false);
                return 2;
            }

            var folder = result.GetValue(outFolder)!;
            IReadOnlyList<string> written;
            if (result.GetValue(classic))
            {
                written = SampleWriter.WriteClassic(folder, result.GetValue(seed), result.GetValue(archive), result.GetValue(prefix)!);
                await output.WriteLineAsync($"Wrote {written.Count} classic-ML models to {Path.GetFullPath(folder)}, "
                    + "each with NAME.request.json and NAME.response.json.").ConfigureAwait(false);
            }
            else
            {
                if (!ByteSize.TryParse(result.GetValue(size), null, out var bytes, out var error) || bytes <= 0)
                {
                    await errors.WriteLineAsync($"--size {(error.Length > 0 ? error : $"'{result.GetValue(size)}' must be more than 0 bytes, e.g. 100KB.")}").ConfigureAwait(false);
                    return 2;
                }

                var n = result.GetValue(count);
                if (n < 1)
                {
                    await errors.WriteLineAsync($"--count {n} must be at least 1.").ConfigureAwait(false);
                    return 2;
                }

                written = SampleWriter.Write(folder, n, bytes, result.GetValue(seed), result.GetValue(archive), namePrefix: result.GetValue(prefix)!);
                await output.WriteLineAsync($"Wrote {written.Count} models of about {ByteSize.Format(bytes)} to {Path.GetFullPath(folder)}, "
                    + "each with NAME.request.json and NAME.response.json.").ConfigureAwait(false);
            }

            if (result.GetValue(upload) is { } uploadTo)
            {
                using var store = new S3ModelStore(uploadTo, new S3StoreOptions { EndpointUrl = result.GetValue(s3Endpoint) });
                foreach (var path in written)
                {
                    await using var file = File.OpenRead(path);
                    await store.PutAsync(Path.GetFileName(path), file, cancellationToken).ConfigureAwait(false);
                }

                await output.WriteLineAsync($"Uploaded {written.Count} artifacts to {store.Source}.").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }
}
