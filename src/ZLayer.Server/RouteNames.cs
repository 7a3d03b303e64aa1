namespace ZLayer.Server;

/// <summary>
/// Checks names taken from the URL before they become store keys: a name with '/' or '..' would
/// otherwise read or delete keys of another prefix.
/// </summary>
internal static class RouteNames
{
    public static string Deployment(string name) => Check(name, "deployment", "name");

    public static string Service(string name) => Check(name, "service", "service");

    private static string Check(string name, string what, string parameter)
    {
        var ok = name.Length is > 0 and <= 63 &&
            char.IsAsciiLetterOrDigit(name[0]) &&
            name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_');
        return ok
            ? name
            : throw ProblemResults.BadRequest($"'{Truncate(name)}' is not a valid {what} name: up to 63 letters, digits, '-' and '_', starting with a letter or digit", parameter);
    }

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
