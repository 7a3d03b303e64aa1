namespace ZLayer.Images.Pull;

/// <summary>A pull or policy check that could not give the image; the message names the image and the cause.</summary>
public sealed class ImagePullException(string message, Exception? inner = null) : Exception(message, inner);
