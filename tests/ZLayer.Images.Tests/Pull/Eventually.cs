namespace ZLayer.Images.Tests.Pull;

/// <summary>Polls a condition until it holds or a deadline passes; the failure says what was awaited.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, double seconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (!condition())
        {
            try
            {
                await Task.Delay(20, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"not true within {seconds:0} s: {what}");
            }
        }
    }
}
