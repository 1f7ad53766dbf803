namespace OpenMme.Store;

/// <summary>A whole-object checksum the store reports (S3 <c>x-amz-checksum-*</c>), base64 as S3 writes it.</summary>
/// <param name="Algorithm"><c>CRC32</c> or <c>SHA256</c>: the ones the disk tier verifies while downloading.</param>
/// <param name="Base64Value">The expected digest.</param>
public sealed record ArtifactChecksum(string Algorithm, string Base64Value);
