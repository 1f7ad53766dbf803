namespace OpenMme.Codecs;

/// <summary>The wire forms a request or response body can take.</summary>
public enum PayloadFormat
{
    /// <summary>KServe v2 inference protocol JSON (<c>inputs</c> / <c>outputs</c>).</summary>
    KServeJson,

    /// <summary>TF-Serving style JSON (<c>instances</c> / <c>predictions</c>): nested arrays, or objects naming the inputs.</summary>
    InstancesJson,

    /// <summary>One NumPy array (<c>application/x-npy</c>).</summary>
    Npy,

    /// <summary>Rows of cells without a header (<c>text/csv</c>), their columns split across the inputs.</summary>
    Csv,
}
