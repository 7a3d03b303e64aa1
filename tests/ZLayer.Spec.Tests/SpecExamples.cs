namespace ZLayer.Spec.Tests;

/// <summary>The example specs of SPEC.md §7, as written there (each is valid as is).</summary>
internal static class SpecExamples
{
    public const string A = """
        version: v1
        deployment: shop-frontend
        services:
          web:
            image:
              name: ghcr.io/acme/storefront:2.4.1
            endpoints:
              - name: http
                protocol: http
                port: 80            # proxy listens here on every node
                target_port: 3000   # container listens here
                expose: public
            scale:
              mode: fixed
              replicas: 2
            health:
              check:
                type: http
                url: http://localhost:3000/healthz   # "localhost" is rewritten to the container IP
        """;

    public const string B = """
        version: v1
        deployment: billing
        services:
          db:
            image: { name: postgres:16-alpine }
            env:
              POSTGRES_PASSWORD: "$S:pg-password"     # the whole value must be the reference
            storage:
              - type: named
                name: billing-pg
                target: /var/lib/postgresql/data
                size: 20Gi
            endpoints:
              - { name: pg, protocol: tcp, port: 5432, expose: internal }
            scale: { mode: fixed, replicas: 1 }
            health:
              start_grace: 20s
              check: { type: tcp, port: 5432 }        # explicit; the default would probe 8080
          api:
            image: { name: ghcr.io/acme/billing-api:1.9.0, pull_policy: newer }
            command:
              args: ["serve", "--port", "8080"]       # NOTE: replaces ENTRYPOINT as well on youki
            env:
              DATABASE_HOST: db
              DATABASE_PASSWORD: "$S:pg-password"
              LOG_LEVEL: "$E:BILLING_LOG_LEVEL"      # read from the daemon's environment
            resources: { cpu: 1, memory: 512Mi }
            endpoints:
              - { name: http, protocol: https, port: 443, target_port: 8080, host: billing.example.com, path: /v1, expose: public }
            depends:
              - { service: db, condition: healthy, timeout: 2m, on_timeout: fail }
            init:
              steps:
                - id: wait-db
                  uses: init.wait_tcp
                  with: { host: 10.0.0.12, port: 5432, timeout: 60 }   # seconds; runs on the node
                  timeout: 90s
            errors:
              on_init_failure: { action: backoff }
              on_panic: { action: restart }
            scale:
              mode: adaptive
              min: 2
              max: 8
              cooldown: 45s
              targets: { cpu: 70, memory: 80 }
        """;

    public const string C = """
        version: v1
        deployment: reports
        services:
          rebuild-index:
            rtype: job                      # runs only when triggered
            image: { name: ghcr.io/acme/indexer:3 }
            command: { entrypoint: ["/bin/indexer"], args: ["--full"] }
          nightly-export:
            rtype: cron
            schedule: "0 30 2 * * *"        # 6 fields, seconds first, UTC -> 02:30:00 daily
            image: { name: ghcr.io/acme/exporter:3 }
            lifecycle: { delete_on_exit: true }
        """;

    public const string D = """
        version: v1
        deployment: search
        services:
          engine:
            image: { name: ghcr.io/acme/search:5 }
            node_mode: dedicated
            node_selector:
              labels: { disk: nvme }
              prefer_labels: { zone: eu-1a }
            platform: { os: linux, arch: amd64 }
            scale: { mode: fixed, replicas: 3 }     # keep equal to the sum of group counts
            replica_groups:
              - { role: primary, count: 1, affinity: { pin: "role=search-primary" } }
              - { role: replica, count: 2 }         # affinity defaults to spread
            endpoints:
              - { name: write, protocol: tcp, port: 9300, target_role: primary }
              - { name: read,  protocol: tcp, port: 9301, target_role: replica }
            storage:
              - { type: bind, source: /srv/search/config, target: /etc/search, readonly: true }
              - { type: tmpfs, target: /tmp, size: 256Mi, mode: 0o1777 }
        """;

    /// <summary>A spec touching most blocks, valid, used for round trips and as a mutation seed.</summary>
    public const string Kitchen = """
        version: v1
        deployment: kitchen-sink
        x-common: &common
          pull_policy: always
        services:
          gateway:
            image: { name: "registry.example.com:5000/team/gateway:1.0", <<: *common }
            runtime: docker
            command: { entrypoint: ["/gw"], args: ["--listen", ":8080"], workdir: /srv }
            env:
              UPSTREAM: "http://${api.host}:${api.port}/v1"
              METRICS: "${api.endpoint.metrics}"
              PRICE: "costs $$5"
              TOKEN: "$S:@api/token/value"
            resources: { cpu: 0.5, memory: 256Mi, pids_limit: 100, cpuset: "0-1", memory_swappiness: 10, blkio_weight: 500 }
            endpoints:
              - { name: web, protocol: http, port: 80, target_port: 8080, host: "*.example.com", path: /app, expose: public }
              - { name: dns, protocol: udp, port: 53, stream: { session_timeout: 30s } }
            scale: { mode: manual }
            depends:
              - { service: api, condition: ready, timeout: 1m, on_timeout: warn }
            health:
              interval: 15s
              timeout: 3s
              retries: 5
              on_unhealthy: isolate
              check: { type: command, command: "wget -q -O- http://127.0.0.1:8080/ready" }
            stop_signal: SIGINT
            stop_grace_period: 1m 30s
            restart_policy: { kind: on_failure, max_attempts: 3, delay: 5s }
            lifecycle: { delete_on_exit: false }
            devices: [{ path: /dev/net/tun }]
            port_mappings: [{ container_port: 9090, host_port: 19090, protocol: udp }]
            network_mode: "bridge:edge"
            dns: ["1.1.1.1"]
            extra_hosts: ["gw:host-gateway", "db:10.0.0.5"]
            hostname: gw
            cap_add: [NET_ADMIN]
            cap_drop: [MKNOD]
            user: "1000:1000"
            sysctls: { net.core.somaxconn: "1024" }
            ulimits: { nofile: { soft: 1024, hard: 4096 } }
            labels: { team: edge, tier: "true" }
            logs: { destination: memory, max_size_bytes: 1048576 }
          api:
            image: { name: ghcr.io/acme/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef }
            endpoints:
              - { name: http, protocol: http, port: 8081 }
              - { name: metrics, protocol: http, port: 9100 }
            scale: { mode: adaptive, min: 1, max: 4, cooldown: 2m, targets: { cpu: 80, rps: 100 } }
            init:
              steps:
                - { id: wait, uses: init.wait_http, with: { url: "http://10.0.0.5:8080/", expect_status: 200, timeout: 30 }, retry: 3, on_failure: warn }
                - { id: migrate, uses: init.run, with: { command: "migrate up" } }
            storage:
              - { type: named, name: api-data, target: /data, tier: cached, size: 10Gi }
              - { type: anonymous, target: /cache }
          ticker:
            rtype: cron
            schedule: "0 */5 * * * * *"
            image: { name: busybox }
            command: { args: ["date"] }
          filter:
            service_type: wasm_transformer
            image: { name: ghcr.io/acme/filter:1 }
            wasm:
              min_instances: 1
              max_instances: 4
              max_memory: 64Mi
              capabilities: { config: false, keyvalue: false }
              preopens: [{ source: /srv/data, target: /data, readonly: true }]
        externals:
          media:
            backends: ["100.64.1.5:8096"]
            endpoints: [{ name: media, protocol: http, port: 8096 }]
        tunnels:
          nas-to-edge: { from: nas, to: edge, local_port: 8096, remote_port: 8096 }
        """;

    public static IReadOnlyList<string> All => [A, B, C, D, Kitchen];

    public static TheoryData<string, string> Named => new()
    {
        { "A", A },
        { "B", B },
        { "C", C },
        { "D", D },
        { "Kitchen", Kitchen },
    };
}
