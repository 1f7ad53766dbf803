using System.Buffers;
using System.Formats.Tar;
using System.IO.Compression;
using OpenMme.Codecs;
using OpenMme.Runtime;

namespace OpenMme.Samples;

/// <summary>
/// Writes sample models into a folder, each with <c>NAME.request.json</c> (a KServe v2 request)
/// and <c>NAME.response.json</c> (the response the model must give) beside it.
/// </summary>
public static class SampleWriter
{
    /// <summary>Writes <paramref name="count"/> samples of about <paramref name="sizeBytes"/> each; returns the artifact paths.</summary>
    public static IReadOnlyList<string> Write(string directory, int count, long sizeBytes, int seed = 1, bool archive = false, int firstIndex = 0, string namePrefix = "")
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>(count);
        for (var i = firstIndex; i < firstIndex + count; i++)
        {
            // One at a time: a sample may be hundreds of megabytes.
            written.Add(WriteSample(directory, SampleModelFactory.Create(i, sizeBytes, seed), archive, namePrefix));
        }

        return written;
    }

    /// <summary>Writes every classic-ML sample (<see cref="ClassicSampleFactory"/>); returns the artifact paths.</summary>
    public static IReadOnlyList<string> WriteClassic(string directory, int seed = 1, bool archive = false, string namePrefix = "")
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>(ClassicSampleFactory.Kinds.Count);
        foreach (var sample in ClassicSampleFactory.CreateAll(seed))
        {
            written.Add(WriteSample(directory, sample, archive, namePrefix));
        }

        return written;
    }

    /// <summary>The sample's fixed request as KServe v2 JSON.</summary>
    public static byte[] RequestJson(SampleModel sample)
    {
        using var inputs = SampleTensor.ToTensorSet(sample.Inputs);
        var buffer = new ArrayBufferWriter<byte>();
        JsonPayloadCodec.EncodeRequest(buffer, inputs);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The response the model must give, as KServe v2 JSON.</summary>
    public static byte[] ResponseJson(SampleModel sample, string modelName)
    {
        using var outputs = SampleTensor.ToTensorSet(sample.ExpectedOutputs);
        var buffer = new ArrayBufferWriter<byte>();
        JsonPayloadCodec.Encode(buffer, modelName, new DecodedRequest(new TensorSet(0), PayloadFormat.KServeJson, null, null), outputs, predictions: false);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Packs a model as a <c>.tar.gz</c> artifact holding <c>model.onnx</c>.</summary>
    public static byte[] Archive(byte[] onnx)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "model.onnx") { DataStream = new MemoryStream(onnx) };
            tar.WriteEntry(entry);
        }

        return output.ToArray();
    }

    private static string WriteSample(string directory, SampleModel sample, bool archive, string namePrefix)
    {
        var stem = namePrefix + Path.GetFileNameWithoutExtension(sample.Name);
        var artifact = Path.Combine(directory, stem + (archive ? ".tar.gz" : ".onnx"));
        WriteAtomically(artifact, archive ? Archive(sample.Onnx) : sample.Onnx);
        File.WriteAllBytes(Path.Combine(directory, stem + ".request.json"), RequestJson(sample));
        File.WriteAllBytes(Path.Combine(directory, stem + ".response.json"), ResponseJson(sample, Path.GetFileName(artifact)));
        return artifact;
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        // A serving endpoint may be watching this folder: never let it see a half-written model.
        var temp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }
}
