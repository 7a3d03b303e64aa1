namespace ZLayer.TestImages.Registry;

/// <summary>How a token's JWS header tells the registry which key signed it; docker-registry 2.8 accepts both.</summary>
public enum TokenKeyReference
{
    /// <summary><c>x5c</c>: the signing certificate, which the registry verifies against its rootcertbundle.</summary>
    CertificateChain,

    /// <summary><c>kid</c>: the libtrust fingerprint of the key of a certificate in the rootcertbundle.</summary>
    KeyId,
}
