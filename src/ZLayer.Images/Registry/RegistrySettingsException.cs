namespace ZLayer.Images.Registry;

/// <summary>A registry settings file that cannot be used; the message names the file and the value.</summary>
public sealed class RegistrySettingsException(string message) : Exception(message);
