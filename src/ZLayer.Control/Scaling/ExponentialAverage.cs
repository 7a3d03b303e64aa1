namespace ZLayer.Control.Scaling;

/// <summary>
/// An exponential moving average whose weights follow elapsed time, not the number of samples:
/// a sample <c>halfLife</c> old counts half as much as a fresh one, so a late or skipped pass
/// does not change how fast the average follows the load. The first sample is taken as is.
/// </summary>
public sealed class ExponentialAverage(TimeSpan halfLife)
{
    private DateTimeOffset _last;

    public double? Value { get; private set; }

    public double Add(double sample, DateTimeOffset at)
    {
        if (Value is not { } previous)
        {
            Value = sample;
        }
        else
        {
            var elapsed = Math.Max(0, (at - _last).TotalSeconds);
            var alpha = 1 - Math.Pow(2, -elapsed / halfLife.TotalSeconds);
            Value = previous + alpha * (sample - previous);
        }

        _last = at;
        return Value.Value;
    }
}
