using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Loading;

/// <summary>
/// Folds what was bound into the one normalised model: service names from their keys, legacy and
/// compatibility fields into their canonical places (each with its warning), so that the rest of
/// the system never sees two spellings of one thing.
/// </summary>
public static class SpecNormalizer
{
    public static void Normalize(DeploymentSpec spec, DiagnosticBag diagnostics)
    {
        foreach (var (name, service) in spec.Services)
        {
            service.Name = name;
            if (service.SpecPath.Length == 0)
            {
                service.SpecPath = $"services.{name}";
            }

            FoldHostNetwork(service, diagnostics);
            FoldVolumes(service, diagnostics);
            NoteCompatForms(service, diagnostics);
        }

        foreach (var external in spec.Externals.Values)
        {
            NoteHealthUrlPath(external.Health, diagnostics);
        }
    }

    private static void FoldHostNetwork(ServiceSpec service, DiagnosticBag diagnostics)
    {
        if (service.HostNetwork is not { } hostNetwork)
        {
            return;
        }

        if (service.Has("network_mode") && hostNetwork && service.NetworkMode.Kind != NetworkModeKind.Host)
        {
            diagnostics.Error("conflict", $"'{service.PathOf("host_network")}: true' contradicts network_mode '{service.NetworkMode}'", service.LocationOf("host_network"), service.PathOf("host_network"));
        }
        else if (hostNetwork)
        {
            service.NetworkMode = NetworkMode.Host;
        }

        service.HostNetwork = null;
    }

    /// <summary>Compatibility form: <c>volumes: ["src:dst[:ro]"]</c> means bind (path source) or named storage.</summary>
    private static void FoldVolumes(ServiceSpec service, DiagnosticBag diagnostics)
    {
        if (service.Volumes is not { } volumes)
        {
            return;
        }

        var location = service.LocationOf("volumes");
        var path = service.PathOf("volumes");
        diagnostics.Warning("compat", $"'{path}' is not an upstream key; read as 'storage' entries (write type: bind or type: named)", location, path);
        for (var i = 0; i < volumes.Count; i++)
        {
            var parts = volumes[i].Split(':');
            var readOnly = parts.Length == 3 && parts[2] == "ro";
            if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[1].Length == 0 || (parts.Length == 3 && parts[2] is not ("ro" or "rw")))
            {
                diagnostics.Error("volume", $"'{path}[{i}]' must be SOURCE:TARGET or SOURCE:TARGET:ro, found '{volumes[i]}'", location, $"{path}[{i}]");
                continue;
            }

            var isBind = parts[0][0] is '/' or '.' or '~';
            var storage = new StorageSpec
            {
                Type = isBind ? StorageType.Bind : StorageType.Named,
                Source = isBind ? parts[0] : null,
                Name = isBind ? null : parts[0],
                Target = parts[1],
                Readonly = readOnly,
                Location = location,
                SpecPath = $"{path}[{i}]",
            };

            // As if written: the rules check (and place errors on) the keys an entry has.
            foreach (var key in new[] { "type", isBind ? "source" : "name", "target", "readonly" })
            {
                storage.KeyLocations[key] = location;
            }

            service.Storage.Add(storage);
        }

        service.Volumes = null;
    }

    private static void NoteCompatForms(ServiceSpec service, DiagnosticBag diagnostics)
    {
        if (service.Schedule is { IsUnixFiveField: true } cron)
        {
            diagnostics.Warning("compat", $"'{service.PathOf("schedule")}' '{cron.Text}' has 5 fields (Unix cron); upstream needs seconds first, e.g. '0 {cron.Text}'", service.LocationOf("schedule"), service.PathOf("schedule"));
        }

        NoteHealthUrlPath(service.Health, diagnostics);
    }

    private static void NoteHealthUrlPath(HealthSpec? health, DiagnosticBag diagnostics)
    {
        if (health?.Check is { Type: HealthCheckType.Http, Url: { } url } check && url.StartsWith('/'))
        {
            diagnostics.Warning("compat", $"'{check.PathOf("url")}' is a path; read as http://localhost:<first http endpoint target_port>{url}", check.LocationOf("url"), check.PathOf("url"));
        }
    }
}
