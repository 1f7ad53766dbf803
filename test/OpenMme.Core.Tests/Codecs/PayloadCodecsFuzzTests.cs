using System.Buffers;
using System.Diagnostics;
using OpenMme.Failures;
using OpenMme.Runtime;
using OpenMme.Runtime.Onnx;
using OpenMme.Samples;
using OpenMme.TestSupport;
using Xunit.Abstractions;

namespace OpenMme.Codecs;

/// <summary>
/// Seeded fuzzing of the decoders over real sessions of the four sample kinds: mutated KServe,
/// instances, npy and csv bodies may only fail as payload errors with short messages (never
/// anything that would be a 500), what they decode to runs or fails as a model error, and every
/// model still answers its reference request correctly afterwards.
/// </summary>
public sealed class PayloadCodecsFuzzTests : IDisposable
{
    private const int MaxCases = 20_000;
    private const int MaxMessage = 1_000;
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(4);

    private readonly TempDirectory _directory = new();
    private readonly List<(SampleModel Sample, ILoadedModel Model)> _models = [];

    private readonly ITestOutputHelper _output;

    public PayloadCodecsFuzzTests(ITestOutputHelper output)
    {
        _output = output;
        var runtime = new OnnxModelRuntime(new OnnxRuntimeOptions());
        for (var i = 0; i < 4; i++)
        {
            var sample = SampleModelFactory.Create(i, 10_000);
            var path = _directory.Combine(sample.Name);
            File.WriteAllBytes(path, sample.Onnx);
            _models.Add((sample, runtime.LoadAsync(path, CancellationToken.None).AsTask().GetAwaiter().GetResult()));
        }
    }

    public void Dispose()
    {
        foreach (var (_, model) in _models)
        {
            model.Dispose();
        }

        _directory.Dispose();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Mutated_bodies_fail_only_as_payload_errors_and_models_stay_correct(int seed)
    {
        var bodies = new List<(SampleBody Body, ILoadedModel Model)>();
        foreach (var (sample, model) in _models)
        {
            foreach (var body in SampleBody.AllFor(sample))
            {
                bodies.Add((body, model));
            }
        }

        var mutator = new PayloadMutator(seed);
        var random = mutator.Random;
        var problems = new List<string>();
        int accepted = 0, refused = 0, cases = 0;
        var clock = Stopwatch.StartNew();
        for (; cases < MaxCases && clock.Elapsed < MaxTime && problems.Count < 5; cases++)
        {
            var (target, model) = bodies[random.Next(bodies.Count)];
            var other = bodies[random.Next(bodies.Count)].Body.Body;
            var body = mutator.Mutate(target.Body, other);

            // Now and then a body goes to a codec of another form, as a wrong Content-Type sends it.
            var format = random.Next(10) == 0 ? (PayloadFormat)random.Next(4) : target.Format;
            var problem = Exercise(format, body, model);
            if (problem is null)
            {
                accepted++;
            }
            else if (problem.Length == 0)
            {
                refused++;
            }
            else
            {
                problems.Add($"seed {seed}, case {cases}, {format} on {target.Sample.Name}: {problem}\n  body ({body.Length} bytes): {Convert.ToBase64String(body[..Math.Min(body.Length, 300)])}");
            }
        }

        _output.WriteLine($"seed {seed}: {cases} cases in {clock.Elapsed.TotalSeconds:F1} s, {accepted} decoded and ran, {refused} refused");
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        // A fuzzer that never gets past the decoders, or never trips them, tests nothing.
        Assert.True(accepted > cases / 100 && refused > cases / 10, $"{cases} cases: {accepted} decoded and ran, {refused} refused");
        foreach (var (sample, model) in _models)
        {
            foreach (var body in SampleBody.AllFor(sample))
            {
                using var request = PayloadCodecs.Decode(body.Format, body.Body, model.Signature);
                using var outputs = model.Run(request.Inputs);
                if (body.Format is PayloadFormat.KServeJson)
                {
                    SampleAssert.Matches(sample, outputs);
                }
                else
                {
                    SampleAssert.Matches(sample.ExpectedOutputs[0].Name, sample.ExpectedOutputs[0].Values, SampleAssert.ToDoubles(outputs[0]));
                }
            }
        }
    }

    /// <summary>Decodes, runs and encodes; null when all went through, empty when refused as it should be, else what went wrong.</summary>
    private static string? Exercise(PayloadFormat format, byte[] body, ILoadedModel model)
    {
        DecodedRequest request;
        try
        {
            request = PayloadCodecs.Decode(format, body, model.Signature);
        }
        catch (ModelHostException e) when (e.Kind == FailureKind.ModelRejectedInput)
        {
            return e.Message.Length <= MaxMessage ? string.Empty : $"a {e.Message.Length}-character message: {e.Message[..200]}";
        }
        catch (Exception e)
        {
            return $"decode threw {e}";
        }

        using (request)
        {
            TensorSet outputs;
            try
            {
                outputs = model.Run(request.Inputs);
            }
            catch (ModelHostException e) when (e.Kind is FailureKind.ModelRejectedInput or FailureKind.ModelFailed)
            {
                return e.Message.Length <= MaxMessage ? string.Empty : $"a {e.Message.Length}-character run message: {e.Message[..200]}";
            }
            catch (Exception e)
            {
                return $"run threw {e}";
            }

            using (outputs)
            {
                try
                {
                    PayloadCodecs.Encode(request.Format, new ArrayBufferWriter<byte>(), "fuzz", request, outputs);
                    return null;
                }
                catch (ModelHostException e) when (e.Kind == FailureKind.ModelRejectedInput && request.Format is PayloadFormat.Npy or PayloadFormat.Csv)
                {
                    // The form asked for cannot carry these outputs (npy for a two-output model): the container's answer.
                    return null;
                }
                catch (Exception e)
                {
                    return $"encode threw {e}";
                }
            }
        }
    }
}
