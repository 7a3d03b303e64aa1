namespace ZLayer.TestImages.Registry;

/// <summary>One request the token server saw, and whether it issued a token.</summary>
public sealed record TokenRequestRecord(
    DateTimeOffset At,
    string Method,
    string? Account,
    string? Service,
    IReadOnlyList<string> Scopes,
    bool HadCredentials,
    int StatusCode);
