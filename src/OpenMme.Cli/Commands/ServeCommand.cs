using System.CommandLine;
using OpenMme.Cli.ControlPlane;
using OpenMme.ControlPlane.State;
using OpenMme.Host;
using OpenMme.Samples;

namespace OpenMme.Cli.Commands;

/// <summary><c>openmme serve</c>: the all-in-one endpoint on one machine.</summary>
internal static class ServeCommand
{
    /// <summary>Sample models <c>--demo</c> writes.</summary>
    public const int DemoModelCount = 4;

    /// <summary>Size of each demo model.</summary>
    public const long DemoModelBytes = 100_000;

    public static Command Create()
    {
        var options = new HostCommandOptions();
        var demo = new Option<bool>("--demo") { Description = "Write sample models into the model folder first and print a curl line to try." };
        var instances = new Option<int>("--instances")
        {
            HelpName = "count",
            Description = "Instances to run: 1 serves in this process; more start that many 'host' processes on loopback, each with its share of "
                + "the memory and disk budgets, behind a router on --port.",
            DefaultValueFactory = _ => 1,
            CustomParser = OptionParsers.Int,
        };
        var router = new RouterCommandOptions(forServe: true);
        var controlPlane = new ControlPlaneCommandOptions();
        var command = new Command("serve", "Serve every model in the model source on one endpoint, loading each on first use.") { demo, instances };
        options.AddTo(command);
        router.AddTo(command);
        controlPlane.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            var settings = await options.BuildAsync(result, errors, createFolder: result.GetValue(demo)).ConfigureAwait(false);
            if (settings is null)
            {
                return 2;
            }

            var count = result.GetValue(instances);
            if (count < 1)
            {
                await errors.WriteLineAsync($"--instances {count} must be at least 1.").ConfigureAwait(false);
                return 2;
            }

            if (result.GetValue(demo))
            {
                await WriteDemoModelsAsync(settings, output, errors).ConfigureAwait(false);
            }

            var controlPlaneSettings = controlPlane.Build(result, settings.Http.AccountId);
            var problems = controlPlaneSettings.Validate();
            foreach (var problem in problems)
            {
                await errors.WriteLineAsync(problem).ConfigureAwait(false);
            }

            if (problems.Count > 0)
            {
                return 2;
            }

            StateStore store;
            try
            {
                store = await StateStore.OpenAsync(controlPlaneSettings.DatabasePath, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
            {
                await errors.WriteLineAsync($"openmme serve: cannot open the control plane's state {Path.GetFullPath(controlPlaneSettings.DatabasePath)}: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            var frontDoor = new ControlPlaneFrontDoor(controlPlaneSettings, store, settings, output);
            var demoLine = result.GetValue(demo) && settings.LocalModelFolder is not null;
            if (count > 1)
            {
                var routerSettings = router.Build(result, settings.Http.EndpointName) with
                {
                    ListenAddress = settings.ListenAddress,
                    Port = settings.Port,
                    JsonLogs = settings.JsonLogs,
                    Signing = settings.Signing,
                };
                return await FleetRunner.RunAsync(settings, count, routerSettings, address => AnnounceAsync(output, address, settings, demoLine), output, errors, cancellationToken,
                    frontDoor).ConfigureAwait(false);
            }

            return await HostRunner.RunAsync(settings, "serve", output, address => AnnounceAsync(output, address, settings, demoLine), errors, cancellationToken, extension: frontDoor)
                .ConfigureAwait(false);
        });
        return command;
    }

    private static async Task AnnounceAsync(TextWriter output, Uri address, ModelHostSettings settings, bool demoLine)
    {
        if (demoLine)
        {
            await output.WriteLineAsync("Try:").ConfigureAwait(false);
            await output.WriteLineAsync($"  {CurlLine(address, settings)}").ConfigureAwait(false);
            await output.WriteLineAsync($"Expected response: {Path.Combine(DemoFolder(settings), "fp32-000.response.json")}").ConfigureAwait(false);
        }
    }

    /// <summary>The copy-paste request for the first demo model (signed by curl when the endpoint requires signatures).</summary>
    public static string CurlLine(Uri address, ModelHostSettings settings) =>
        $"curl -s {address.GetLeftPart(UriPartial.Authority)}/endpoints/{settings.Http.EndpointName}/invocations " +
        $"-H 'X-Amzn-SageMaker-Target-Model: fp32-000.onnx' -H 'Content-Type: application/json' " +
        $"-d @{Path.Combine(DemoFolder(settings), "fp32-000.request.json")}"
        // With signing on, curl signs too (7.75 and later); the user puts in a key of theirs, never printed here.
        + (settings.Signing.IsEnabled ? " --aws-sigv4 'aws:amz:us-east-1:sagemaker' --user 'ACCESS_KEY_ID:SECRET_ACCESS_KEY'" : string.Empty);

    // A folder as the user wrote it (relative paths stay short); a file:// source as the path it names.
    private static string DemoFolder(ModelHostSettings settings) =>
        settings.ModelSource.Contains("://", StringComparison.Ordinal) ? settings.LocalModelFolder ?? settings.ModelSource : settings.ModelSource;

    private static async Task WriteDemoModelsAsync(ModelHostSettings settings, TextWriter output, TextWriter errors)
    {
        if (settings.LocalModelFolder is not { } folder)
        {
            await errors.WriteLineAsync("--demo writes sample models into a local folder; the model source is not one, so none were written.").ConfigureAwait(false);
            return;
        }

        var missing = 0;
        for (var i = 0; i < DemoModelCount; i++)
        {
            if (!File.Exists(Path.Combine(folder, SampleModelFactory.Create(i, 1).Name)))
            {
                missing++;
            }
        }

        if (missing > 0)
        {
            SampleWriter.Write(folder, DemoModelCount, DemoModelBytes);
            await output.WriteLineAsync($"Wrote {DemoModelCount} demo models to {folder}.").ConfigureAwait(false);
        }
    }
}
