using System.Text;

namespace ZLayer.Cli.Terminal;

/// <summary>Asks for a password on the terminal without showing what is typed.</summary>
public static class SecretPrompt
{
    /// <summary>True when there is a person to ask: standard input is a terminal.</summary>
    public static bool CanAsk => !Console.IsInputRedirected;

    /// <summary>Reads one line without echo; null when the user pressed Ctrl-C or Ctrl-D.</summary>
    public static string? Ask(string prompt)
    {
        var previous = Console.TreatControlCAsInput;

        // Ctrl-C arrives as a key here, so the prompt can end; as a signal it would leave ReadKey
        // waiting. Setting this also switches the terminal to .NET's own input mode, which does not
        // echo, so it comes before the prompt: nothing typed once the prompt shows is displayed,
        // not even between two keys.
        Console.TreatControlCAsInput = true;
        Console.Error.Write(prompt);
        try
        {
            var secret = new StringBuilder();
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.Modifiers.HasFlag(ConsoleModifiers.Control) && key.Key is ConsoleKey.C or ConsoleKey.D)
                {
                    return null;
                }

                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        return secret.ToString();
                    case ConsoleKey.Backspace:
                        if (secret.Length > 0)
                        {
                            secret.Length--;
                        }

                        break;
                    default:
                        if (!char.IsControl(key.KeyChar))
                        {
                            secret.Append(key.KeyChar);
                        }

                        break;
                }
            }
        }
        finally
        {
            Console.TreatControlCAsInput = previous;
            Console.Error.WriteLine();
        }
    }
}
