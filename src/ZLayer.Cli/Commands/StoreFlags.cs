using System.CommandLine;
using ZLayer.Control.Store.Etcd;

namespace ZLayer.Cli.Commands;

/// <summary>
/// <c>zlayer serve --store etcd://...</c> and its credentials: where the cluster state lives when it
/// is not the embedded SQLite file in the data directory. The password never travels as a flag
/// (flags show in <c>ps</c>): it comes from a file or from ZLAYER_STORE_PASSWORD.
/// </summary>
public sealed class StoreFlags
{
    public const string PasswordVariable = "ZLAYER_STORE_PASSWORD";

    private readonly Option<string?> _store = new("--store")
    {
        Description = "The state store: etcd://HOST:PORT[,HOST:PORT...][/NAMESPACE] (etcds:// for TLS); default: SQLite in the data directory",
        HelpName = "URL",
    };

    private readonly Option<string?> _user = new("--store-user") { Description = $"etcd user (password from --store-password-file or ${PasswordVariable})", HelpName = "USER" };
    private readonly Option<FileInfo?> _passwordFile = new("--store-password-file") { Description = "File holding the etcd user's password", HelpName = "FILE" };
    private readonly Option<FileInfo?> _ca = new("--store-ca") { Description = "PEM file of the CA that signed the etcd members' certificates", HelpName = "FILE" };
    private readonly Option<FileInfo?> _cert = new("--store-cert") { Description = "PEM client certificate for etcd", HelpName = "FILE" };
    private readonly Option<FileInfo?> _key = new("--store-key") { Description = "PEM key of --store-cert", HelpName = "FILE" };

    public StoreFlags()
    {
        _store.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && !EtcdStoreOptions.TryParse(text, out _, out var error))
            {
                r.AddError($"--store: {error}");
            }
        });
        foreach (var file in new[] { _passwordFile, _ca, _cert, _key })
        {
            file.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<FileInfo?>() is { Exists: false } missing)
                {
                    r.AddError($"{file.Name}: {missing.FullName} does not exist");
                }
            });
        }
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _store, _user, _passwordFile, _ca, _cert, _key })
        {
            command.Options.Add(option);
        }

        command.Validators.Add(r =>
        {
            var etcd = r.GetValue(_store) is not null;
            foreach (var option in new Option[] { _user, _passwordFile, _ca, _cert, _key })
            {
                if (!etcd && r.GetResult(option) is not null)
                {
                    r.AddError($"{option.Name} only applies with --store etcd://...");
                }
            }

            if ((r.GetValue(_cert) is null) != (r.GetValue(_key) is null))
            {
                r.AddError("--store-cert and --store-key go together");
            }
        });
    }

    /// <summary>The etcd settings the flags ask for (validated already); null for the embedded store.</summary>
    public EtcdStoreOptions? Read(ParseResult parse)
    {
        if (parse.GetValue(_store) is not { } text)
        {
            return null;
        }

        EtcdStoreOptions.TryParse(text, out var options, out _);
        var password = parse.GetValue(_passwordFile) is { } file
            ? File.ReadAllText(file.FullName).TrimEnd('\r', '\n')
            : Environment.GetEnvironmentVariable(PasswordVariable);
        return options with
        {
            Username = parse.GetValue(_user),
            Password = password,
            CaFile = parse.GetValue(_ca)?.FullName,
            CertFile = parse.GetValue(_cert)?.FullName,
            KeyFile = parse.GetValue(_key)?.FullName,
        };
    }
}
