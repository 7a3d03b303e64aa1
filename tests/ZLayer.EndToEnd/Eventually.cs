namespace ZLayer.EndToEnd;

/// <summary>Waits for a condition with a deadline: how tests synchronise with a system that converges.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is not InvalidOperationException)
            {
                last = ex;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"not true within {timeout.TotalSeconds:0}s: {what}{(last is null ? "" : $" (last error: {last.Message})")}");
    }

    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
        where T : class
    {
        T? value = null;
        await HoldsAsync(async () => (value = await probe()) is not null, timeout, what);
        return value!;
    }
}
