using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ZLayer.Runtime.Runc;

namespace ZLayer.Server;

/// <summary>A named volume as the API lists it.</summary>
/// <param name="InUse">Whether a container mounts it now (then it cannot be removed).</param>
public sealed record VolumeSummary(string Name, string Path, long Bytes, bool InUse);

/// <summary>Named volumes: list them, remove one no container mounts.</summary>
public static class VolumeRoutes
{
    public static RouteGroupBuilder MapVolumeRoutes(this RouteGroupBuilder api)
    {
        api.MapGet("/volumes", (VolumeCatalog catalog) =>
        {
            var inUse = catalog.InUse();
            return TypedResults.Ok((catalog.Volumes?.List() ?? []).Select(v => new VolumeSummary(v.Name, v.Path, v.Bytes, inUse.Contains(v.Name))).ToList());
        })
            .WithName("ListVolumes")
            .WithSummary("The named volumes on this node and whether a replica uses them");

        api.MapDelete("/volumes/{name}", (string name, VolumeCatalog catalog) =>
        {
            if (!NamedVolumes.IsValidName(name))
            {
                throw ProblemResults.BadRequest($"'{name}' is not a volume name (letters, digits, '.', '_', '-'; starting with a letter or digit)");
            }

            if (catalog.InUse().Contains(name))
            {
                throw ProblemResults.Conflict($"volume '{name}' is mounted by a container; take its deployment down first");
            }

            return catalog.Volumes?.Remove(name) == true
                ? Results.NoContent()
                : throw ProblemResults.NotFound($"no volume '{name}' on this node");
        })
            .WithName("RemoveVolume")
            .WithSummary("Remove a named volume no replica uses")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, ProblemResults.ContentType)
            .Produces<ApiProblem>(StatusCodes.Status409Conflict, ProblemResults.ContentType);

        return api;
    }
}
