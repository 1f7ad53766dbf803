using System.Buffers;
using System.Globalization;
using System.Text;
using OpenMme.Codecs;
using OpenMme.Runtime;
using OpenMme.Samples;

namespace OpenMme.TestSupport;

/// <summary>A valid request body for a sample model in one wire form, with the content type that names it.</summary>
public sealed record SampleBody(SampleModel Sample, PayloadFormat Format, string ContentType, byte[] Body)
{
    /// <summary>The sample's fixed request in every form the sample's signature allows.</summary>
    public static IReadOnlyList<SampleBody> AllFor(SampleModel sample)
    {
        var bodies = new List<SampleBody> { new(sample, PayloadFormat.KServeJson, "application/json", SampleWriter.RequestJson(sample)) };
        if (sample.Inputs.Count != 1)
        {
            return bodies;
        }

        var input = sample.Inputs[0];
        bodies.Add(new(sample, PayloadFormat.InstancesJson, "application/json", Instances(input)));
        bodies.Add(new(sample, PayloadFormat.Npy, "application/x-npy", Encoded(input, PayloadFormat.Npy)));
        if (input.Type is TensorDataType.Float or TensorDataType.Double)
        {
            bodies.Add(new(sample, PayloadFormat.Csv, "text/csv", Encoded(input, PayloadFormat.Csv)));
        }

        return bodies;
    }

    private static byte[] Instances(SampleTensor input)
    {
        var text = new StringBuilder("{\"instances\":[");
        var columns = input.Shape[^1];
        for (var i = 0; i < input.Values.Length; i++)
        {
            text.Append(i % columns == 0 ? (i == 0 ? "[" : "],[") : ",");
            text.Append(input.Values[i].ToString("R", CultureInfo.InvariantCulture));
        }

        return Encoding.UTF8.GetBytes(text.Append("]]}").ToString());
    }

    /// <summary>The input written as a response would be: npy and csv bodies read back the same way.</summary>
    private static byte[] Encoded(SampleTensor input, PayloadFormat format)
    {
        using var tensors = SampleTensor.ToTensorSet([input]);
        var buffer = new ArrayBufferWriter<byte>();
        PayloadCodecs.Encode(format, buffer, "sample", new DecodedRequest(new TensorSet(0), format, null, null), tensors);
        return buffer.WrittenSpan.ToArray();
    }
}
