using Microsoft.ML.OnnxRuntime;

namespace OpenMme.Runtime.Onnx;

/// <summary>The in-process ONNX Runtime backend (<c>onnx</c>).</summary>
public sealed class OnnxModelRuntime(OnnxRuntimeOptions options) : IModelRuntime
{
    /// <inheritdoc />
    public string Name => "onnx";

    /// <summary>Models smaller than this are created on the calling thread (a few milliseconds of CPU).</summary>
    public const long InlineLoadBytes = 4L << 20;

    /// <inheritdoc />
    public ValueTask<ILoadedModel> LoadAsync(string modelPath, CancellationToken cancellationToken)
    {
        // Session creation is CPU-bound and occupies a pool thread wherever it runs; handing a small
        // one to another thread only adds a wake-up to the cold path. Large ones run apart, so the
        // caller can stop waiting at its timeout while the creation finishes.
        if (new FileInfo(modelPath).Length < InlineLoadBytes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new(Load(modelPath));
        }

        return new(Task.Run(() => Load(modelPath), cancellationToken));
    }

    private ILoadedModel Load(string modelPath)
    {
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            var session = new InferenceSession(modelPath, sessionOptions);
            try
            {
                return new OnnxLoadedModel(session, sessionOptions);
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }
        catch (OnnxRuntimeException e)
        {
            sessionOptions.Dispose();
            throw new ModelLoadException($"ONNX Runtime rejected the model ({Shorten(WithoutFolder(e.Message, modelPath))})", e);
        }
        catch (ModelLoadException)
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    /// <summary>ONNX Runtime names the files it read by their full path; clients see them relative to the artifact.</summary>
    private static string WithoutFolder(string message, string modelPath)
    {
        var folder = Path.GetDirectoryName(modelPath);
        return string.IsNullOrEmpty(folder) ? message : message.Replace(folder + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal);
    }

    private static string Shorten(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length <= 300 ? line : line[..300] + "...";
    }
}
