namespace ZLayer.Networking.Cni;

public static class CniCommands
{
    /// <summary>The value of CNI_COMMAND, also how commands are named in messages, as the specification writes them.</summary>
    public static string ToWire(this CniCommand command) => command switch
    {
        CniCommand.Add => "ADD",
        CniCommand.Del => "DEL",
        CniCommand.Check => "CHECK",
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
    };
}
