using ZLayer.Spec.Binding;
using ZLayer.Spec.Model;

namespace ZLayer.Spec.Validation;

/// <summary>
/// <c>depends</c> must name services of the deployment and form no cycle (upstream accepts cycles
/// and self-dependencies; we reject them and print the cycle).
/// </summary>
internal static class DependencyRules
{
    public static void Validate(ValidationContext ctx)
    {
        var services = ctx.Spec.Services;
        foreach (var service in services.Values)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var dep in service.Depends)
            {
                if (dep.Service == service.Name)
                {
                    ctx.Error("dependency-cycle", dep, "service", $"service '{service.Name}' depends on itself");
                }
                else if (!services.ContainsKey(dep.Service))
                {
                    ctx.Error("unknown-dependency", dep, "service", $"depends on '{dep.Service}', which is not a service of this deployment{Suggestions.DidYouMean(dep.Service, services.Keys)}");
                }
                else if (!seen.Add(dep.Service))
                {
                    ctx.Error("duplicate-dependency", dep, "service", $"'{dep.Service}' is listed twice in depends");
                }
            }
        }

        foreach (var cycle in FindCycles(services))
        {
            var first = services[cycle[0]];
            var edge = first.Depends.First(d => d.Service == cycle[1]);
            ctx.Error("dependency-cycle", edge, "service", $"dependency cycle: {string.Join(" -> ", cycle)}");
        }
    }

    /// <summary>Each elementary cycle found by a depth-first search, reported once, starting at its first-declared service.</summary>
    public static List<List<string>> FindCycles(OrderedDictionary<string, ServiceSpec> services)
    {
        var cycles = new List<List<string>>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 0 new, 1 on stack, 2 done
        var stack = new List<string>();
        var reported = new HashSet<string>(StringComparer.Ordinal);

        foreach (var start in services.Keys)
        {
            if (state.GetValueOrDefault(start) != 0)
            {
                continue;
            }

            // Iterative DFS: frames of (service, index of the next dependency to visit).
            var frames = new Stack<(string Name, int Next)>();
            frames.Push((start, 0));
            state[start] = 1;
            stack.Add(start);
            while (frames.Count > 0)
            {
                var (name, next) = frames.Pop();
                var deps = services[name].Depends;
                if (next < deps.Count)
                {
                    frames.Push((name, next + 1));
                    var dep = deps[next].Service;
                    if (dep == name || !services.ContainsKey(dep))
                    {
                        continue; // reported separately
                    }

                    switch (state.GetValueOrDefault(dep))
                    {
                        case 0:
                            state[dep] = 1;
                            stack.Add(dep);
                            frames.Push((dep, 0));
                            break;
                        case 1:
                            var cycle = stack[stack.IndexOf(dep)..];
                            var key = string.Join(",", cycle.Order(StringComparer.Ordinal));
                            if (reported.Add(key))
                            {
                                var rotateAt = cycle.IndexOf(cycle.MinBy(s => services.IndexOf(s))!);
                                var rotated = cycle[rotateAt..].Concat(cycle[..rotateAt]).ToList();
                                rotated.Add(rotated[0]);
                                cycles.Add(rotated);
                            }

                            break;
                    }
                }
                else
                {
                    state[name] = 2;
                    stack.RemoveAt(stack.Count - 1);
                }
            }
        }

        return cycles;
    }
}
