namespace ZLayer.Networking.Cni;

/// <summary>The error codes the CNI specification reserves (0-99); plugins use 100 and up for their own.</summary>
public static class CniErrorCodes
{
    public const int IncompatibleVersion = 1;
    public const int UnsupportedField = 2;
    public const int ContainerUnknown = 3;
    public const int InvalidEnvironment = 4;
    public const int IoFailure = 5;
    public const int DecodeFailure = 6;
    public const int InvalidNetworkConfig = 7;
    public const int TryAgainLater = 11;

    /// <summary>The specification's meaning of <paramref name="code"/>, or a note that it is the plugin's own.</summary>
    public static string Describe(int code) => code switch
    {
        IncompatibleVersion => "incompatible CNI version",
        UnsupportedField => "unsupported field in network configuration",
        ContainerUnknown => "container unknown or does not exist",
        InvalidEnvironment => "invalid necessary environment variables",
        IoFailure => "I/O failure",
        DecodeFailure => "failed to decode content",
        InvalidNetworkConfig => "invalid network config",
        TryAgainLater => "try again later",
        >= 100 => "plugin-specific error",
        _ => "reserved error code",
    };
}
