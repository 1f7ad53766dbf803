namespace OpenMme.TestSupport;

/// <summary>The model stores every invocation test runs against.</summary>
public enum StoreKind
{
    LocalFolder,
    S3,
}
