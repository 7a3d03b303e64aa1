using System.Globalization;
using ZLayer.Control.Store;
using ZLayer.Control.Store.Sqlite;

// Usage: ZLayer.StoreCrashProbe STORE_PATH
// Writes transactions of two keys, crash/NNNNNN/a and crash/NNNNNN/b, forever, and after each commit
// prints "committed REVISION N" on its own line. The crash test reads those lines, kills the process
// with SIGKILL at an arbitrary point, and checks that every reported revision survived, whole.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: ZLayer.StoreCrashProbe STORE_PATH");
    return 2;
}

// An orphan (its test died without killing it) must not write forever: it stops when its stdin closes
// or after a minute.
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
_ = Task.Run(async () =>
{
    await Console.In.ReadToEndAsync();
    await stop.CancelAsync();
});

await using var store = await SqliteStateStore.OpenAsync(args[0], TimeProvider.System);
Console.WriteLine("ready");
for (var i = 0; !stop.IsCancellationRequested; i++)
{
    // Values of a few pages each, so that a commit is several WAL frames long and a kill can land inside one.
    var a = new byte[4096 + (i % 7 * 1024)];
    var b = new byte[8192];
    Array.Fill(a, (byte)(i % 251));
    Array.Fill(b, (byte)(i % 241));
    var n = i.ToString("D6", CultureInfo.InvariantCulture);
    var result = await store.TxnAsync([], [new TxnOp.Put($"crash/{n}/a", a), new TxnOp.Put($"crash/{n}/b", b)]);
    Console.WriteLine($"committed {result.Revision} {i}");
}

return 0;
