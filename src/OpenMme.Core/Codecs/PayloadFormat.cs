namespace OpenMme.Codecs;

/// <summary>The wire forms a request or response body can take.</summary>
public enum PayloadFormat
{
    /// <summary>KServe v2 inference protocol JSON (<c>inputs</c> / <c>outputs</c>).</summary>
    KServeJson,

    /// <summary>TF-Serving style JSON (<c>instances</c> / <c>predictions</c>), single-input models.</summary>
    InstancesJson,

    /// <summary>One NumPy array (<c>application/x-npy</c>).</summary>
    Npy,

    /// <summary>Rows of numbers (<c>text/csv</c>), single 2-D numeric input.</summary>
    Csv,
}
