namespace ZLayer.Networking.Cni;

/// <summary>The naming rules the CNI specification sets for container ids, network names and interface names.</summary>
internal static class CniNames
{
    // IFNAMSIZ is 16 including the terminating NUL.
    private const int MaxInterfaceNameLength = 15;

    /// <summary>Container ids and network names: an alphanumeric first character, then alphanumerics, '_', '.' or '-'.</summary>
    public static void CheckIdentifier(string value, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new CniConfigurationException($"{what} must not be empty");
        }
        if (!char.IsAsciiLetterOrDigit(value[0]))
        {
            throw new CniConfigurationException($"{what} '{value}' must start with a letter or digit");
        }
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                throw new CniConfigurationException($"{what} '{value}' contains '{c}': only letters, digits, '_', '.' and '-' are allowed");
            }
        }
    }

    /// <summary>Linux interface names as the specification restricts them: 1-15 characters, not '.' or '..', no '/', ':' or whitespace.</summary>
    public static void CheckInterfaceName(string value, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new CniConfigurationException($"{what} must not be empty");
        }
        if (value.Length > MaxInterfaceNameLength)
        {
            throw new CniConfigurationException($"{what} '{value}' is {value.Length} characters long; Linux allows at most {MaxInterfaceNameLength}");
        }
        if (value is "." or "..")
        {
            throw new CniConfigurationException($"{what} must not be '{value}'");
        }
        foreach (var c in value)
        {
            if (c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                throw new CniConfigurationException($"{what} '{value}' must not contain '/', ':', whitespace or control characters");
            }
        }
    }

    /// <summary>A plugin type names an executable in the plugin directories, so it must be a plain file name.</summary>
    public static void CheckPluginType(string value, string where)
    {
        if (string.IsNullOrEmpty(value) || value is "." or ".." || value.Contains('/') || value.Contains('\0'))
        {
            throw new CniConfigurationException($"{where}: plugin type '{value}' is not a file name in the plugin directories");
        }
    }
}
