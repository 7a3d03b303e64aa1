using ZLayer.Images.Content;

namespace ZLayer.Images.Pull;

public enum PullPhase
{
    /// <summary>Asking the registry what the reference points at.</summary>
    Resolving,

    /// <summary>The manifest is known; <see cref="PullProgress.Total"/> is the bytes to fetch.</summary>
    Resolved,

    /// <summary>A blob is arriving; <see cref="PullProgress.Current"/> bytes of <see cref="PullProgress.Total"/>.</summary>
    Downloading,

    /// <summary>A blob was already stored: nothing to fetch.</summary>
    Present,

    /// <summary>A blob arrived and was verified.</summary>
    Downloaded,

    /// <summary>A layer is being unpacked.</summary>
    Extracting,

    /// <summary>A layer's unpacked directory is ready.</summary>
    Ready,

    /// <summary>A transfer failed and is being resumed.</summary>
    Retrying,

    /// <summary>The image is stored; <see cref="PullProgress.Message"/> says whether anything changed.</summary>
    Done,
}

/// <summary>One step of a pull, for progress bars and the API's event stream.</summary>
/// <param name="Blob">The blob (layer or config) the step is about; null for whole-image steps.</param>
public sealed record PullProgress(string Reference, PullPhase Phase, Digest? Blob = null, long Current = 0, long Total = 0, string? Message = null);
