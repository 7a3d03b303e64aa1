using ZLayer.Spec.Model;
using static ZLayer.Spec.Tests.SpecTestHelpers;

namespace ZLayer.Spec.Tests;

public sealed class LoaderSmokeTests
{
    [Fact]
    public void Minimal_web_service_loads_with_defaults()
    {
        var result = Load("""
            version: v1
            deployment: shop-frontend
            services:
              web:
                image:
                  name: ghcr.io/acme/storefront:2.4.1
                endpoints:
                  - name: http
                    protocol: http
                    port: 80
                    target_port: 3000
                    expose: public
                scale:
                  mode: fixed
                  replicas: 2
            """);
        AssertValid(result);
        var web = result.Spec!.Services["web"];
        Assert.Equal("web", web.Name);
        Assert.Equal("ghcr.io", web.Image!.Name.Registry);
        Assert.Equal(PullPolicy.IfNotPresent, web.Image.PullPolicy);
        Assert.Equal(ExposeMode.Public, web.Endpoints[0].Expose);
        Assert.Equal((ushort)3000, web.Endpoints[0].EffectiveTargetPort);
        Assert.Equal(2u, web.Scale!.InitialReplicas);
    }

    [Fact]
    public void Unknown_key_is_an_error_with_location_and_suggestion()
    {
        var error = SingleError(Load(OneService("replicass: 3")));
        Assert.Equal("test.zlayer.yaml:6:5", error.Location.ToString());
        Assert.Contains("unknown key 'replicass'", error.Message);
    }
}
