using System.Diagnostics;
using System.Text;
using ZLayer.Spec.Diagnostics;
using ZLayer.Spec.Loading;
using ZLayer.Spec.Output;

namespace ZLayer.Spec.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RobustnessCollection
{
    /// <summary>Big inputs run alone, so that their time and memory are theirs.</summary>
    public const string Name = "robustness";
}

/// <summary>
/// Broken, hostile and huge inputs: the loader must answer each with a result (valid, or with an
/// error that says where), never throw, never hang, and stay within bounded memory.
/// </summary>
[Collection(RobustnessCollection.Name)]
public sealed class RobustnessTests
{
    /// <summary>A hang detector, not a performance bound: a sound load of any input here takes far less.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>For the ~10 MB inputs, which take a few seconds on a slow machine.</summary>
    private static readonly TimeSpan BigDeadline = TimeSpan.FromSeconds(30);

    private const long MemoryBound = 1L << 30;

    private const string File = "fuzz.zlayer.yaml";

    /// <summary>Errors that are about the file as a whole and so have no line.</summary>
    private static readonly HashSet<string> FileLevelCodes = ["file-too-large", "encoding", "io"];

    private static readonly LoadOptions Options = new() { Format = SpecFormat.ZLayer };

    private static LoadResult Run(Func<LoadResult> load, string what, TimeSpan? deadline = null)
    {
        var task = Task.Factory.StartNew(load, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var limit = deadline ?? Deadline;
        try
        {
            if (!task.Wait(limit))
            {
                Assert.Fail($"the loader did not finish within {limit.TotalSeconds} s on {what}");
            }
        }
        catch (AggregateException ex)
        {
            Assert.Fail($"the loader threw {ex.InnerException} on {what}");
        }

        return task.Result;
    }

    private static LoadResult LoadText(string text, string what, TimeSpan? deadline = null) =>
        Run(() => SpecLoader.LoadText(text, File, Options), what, deadline);

    /// <summary>Valid (maybe with warnings), or failed with errors that each say where.</summary>
    private static void AssertWellFormed(LoadResult result, string what, string? file = null)
    {
        file ??= File;
        if (result.Succeeded)
        {
            Assert.NotNull(result.Spec);
            return;
        }

        var errors = result.Diagnostics.Where(d => d.IsError).ToList();
        Assert.True(errors.Count > 0, $"the load failed without an error on {what}");
        foreach (var error in errors)
        {
            Assert.True(error.Message.Length > 0, $"an error without a message on {what}");
            Assert.Equal(file, error.Location.File);
            Assert.True(
                (error.Location.Line > 0 && error.Location.Column > 0) || FileLevelCodes.Contains(error.Code),
                $"error without a position on {what}: [{error.Code}] {error}");
        }
    }

    private static string Show(string text) =>
        text.Length <= 600 ? text : text[..300] + $"\n...({text.Length} chars)...\n" + text[^300..];

    // ---- mutants ------------------------------------------------------------------------------

    private static readonly string[] ReplacementValues =
    [
        "", "~", "[]", "{}", "[a, b]", "{ x: 1 }", "0", "-1", "70000", "1.5", "true", "\"\"", "'q'", "*nope", "&a", "!!str",
        "|", ">", "- x", "{ mode: fixed }", "[{ name: x }]", "\"$E:\"", "\"$S:\"", "\"${x.port}\"", "0o1777", "1e999", "null", "\"\\u0000\"",
        new string('z', 300), "[[[[[[[[[[]]]]]]]]]]", "{ <<: [] }", "? x", "@", "`", "%", "\t", "\"unterminated", "'also",
    ];

    private const string Noise = ":-[]{},&*!|>'\"%@` \t\n#?\\\0\u00e9\u4e2d\ud83d\ude00";

    private static string Mutate(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        var line = random.Next(lines.Count);
        switch (random.Next(12))
        {
            case 0: // delete a line
                lines.RemoveAt(line);
                break;
            case 1: // duplicate a line
                lines.Insert(line, lines[line]);
                break;
            case 2: // replace a value with one of another type
            case 3:
                {
                    var colon = lines[line].IndexOf(": ", StringComparison.Ordinal);
                    if (colon >= 0)
                    {
                        lines[line] = lines[line][..(colon + 2)] + ReplacementValues[random.Next(ReplacementValues.Length)];
                    }
                    else
                    {
                        lines[line] += ReplacementValues[random.Next(ReplacementValues.Length)];
                    }

                    break;
                }

            case 4: // re-indent a line
                {
                    var shift = random.Next(-4, 5);
                    var indent = lines[line].Length - lines[line].TrimStart(' ').Length;
                    lines[line] = shift >= 0 ? new string(' ', shift) + lines[line] : lines[line][Math.Min(-shift, indent)..];
                    break;
                }

            case 5: // swap two lines
                {
                    var other = random.Next(lines.Count);
                    (lines[line], lines[other]) = (lines[other], lines[line]);
                    break;
                }

            case 6: // misspell a key
                {
                    var l = lines[line];
                    if (l.Length > 1)
                    {
                        var at = random.Next(l.Length);
                        lines[line] = l.Remove(at, 1);
                    }

                    break;
                }

            case 7: // copy a value from another line
                {
                    var from = lines[random.Next(lines.Count)];
                    var colonFrom = from.IndexOf(": ", StringComparison.Ordinal);
                    var colonTo = lines[line].IndexOf(": ", StringComparison.Ordinal);
                    if (colonFrom >= 0 && colonTo >= 0)
                    {
                        lines[line] = lines[line][..(colonTo + 2)] + from[(colonFrom + 2)..];
                    }

                    break;
                }

            default:
                {
                    var joined = string.Join('\n', lines);
                    var at = random.Next(joined.Length + 1);
                    return random.Next(4) switch
                    {
                        0 => joined[..at], // truncate
                        1 => joined.Insert(at, RandomNoise(random, random.Next(1, 8))), // insert random characters
                        2 => joined.Remove(Math.Min(at, joined.Length - 1), Math.Min(random.Next(1, 20), joined.Length - Math.Min(at, joined.Length - 1))), // delete a span
                        _ => joined.Insert(at, Encoding.Latin1.GetString(RandomBytes(random, random.Next(1, 16)))), // random bytes read as text
                    };
                }
        }

        return string.Join('\n', lines);
    }

    private static string RandomNoise(Random random, int length)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            // Characters are picked one by one, so the emoji's surrogates also come alone.
            sb.Append(Noise[random.Next(Noise.Length)]);
        }

        return sb.ToString();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public static TheoryData<int> SeedIndexes => [.. Enumerable.Range(0, SpecExamples.All.Count)];

    [Theory]
    [MemberData(nameof(SeedIndexes))]
    public void Thousands_of_mutants_each_get_a_clean_answer(int seedIndex)
    {
        var seed = SpecExamples.All[seedIndex];
        var random = new Random(20_240_101 + seedIndex);
        var valid = 0;
        var stopwatch = Stopwatch.StartNew();
        const int count = 800;
        for (var i = 0; i < count; i++)
        {
            var text = seed;
            var steps = 1 + random.Next(3);
            for (var s = 0; s < steps; s++)
            {
                text = Mutate(text, random);
            }

            var what = $"mutant {i} of example {seedIndex}:\n{Show(text)}";
            var result = LoadText(text, what);
            AssertWellFormed(result, what);
            if (result.Succeeded)
            {
                valid++;
                AssertRoundTrips(result, what);
            }
        }

        // The mutations must actually break things most of the time, and not always.
        Assert.InRange(valid, 1, count - 100);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"{count} mutants took {stopwatch.Elapsed}");
    }

    /// <summary>What a valid spec dumps to must load again, to the same model.</summary>
    private static void AssertRoundTrips(LoadResult result, string what)
    {
        string json;
        string yaml;
        try
        {
            json = SpecJson.Serialize(result.Spec!);
            yaml = SpecYaml.Serialize(result.Spec!);
        }
        catch (Exception ex)
        {
            Assert.Fail($"output threw {ex} on {what}");
            return;
        }

        var again = LoadText(yaml, "the YAML dump of " + what);
        Assert.True(again.Succeeded, $"the YAML dump of a valid spec does not load:\n{string.Join("\n", again.Diagnostics)}\n--- dump:\n{yaml}\n--- from {what}");
        Assert.Equal(json, SpecJson.Serialize(again.Spec!));
    }

    [Fact]
    public void Every_prefix_of_a_spec_gets_a_clean_answer()
    {
        var text = SpecExamples.Kitchen;
        for (var length = 0; length <= text.Length; length += 7)
        {
            var prefix = text[..length];
            var what = $"the first {length} characters of the kitchen-sink example";
            AssertWellFormed(LoadText(prefix, what), what);
        }
    }

    [Fact]
    public void Every_line_deleted_in_turn_gets_a_clean_answer()
    {
        foreach (var seed in SpecExamples.All)
        {
            var lines = seed.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var text = string.Join('\n', lines.Where((_, j) => j != i));
                var what = $"example without line {i + 1} ('{lines[i].Trim()}')";
                AssertWellFormed(LoadText(text, what), what);
            }
        }
    }

    [Fact]
    public void Every_scalar_replaced_by_each_other_type_gets_a_clean_answer()
    {
        var lines = SpecExamples.B.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            foreach (var replacement in ReplacementValues)
            {
                var copy = (string[])lines.Clone();
                copy[i] = lines[i][..(colon + 2)] + replacement;
                var text = string.Join('\n', copy);
                var what = $"example B with line {i + 1} set to '{copy[i].Trim()}'";
                var result = LoadText(text, what);
                AssertWellFormed(result, what);
            }
        }
    }

    // ---- nesting ------------------------------------------------------------------------------

    private static void AssertRefusedWithLimit(LoadResult result, string what)
    {
        AssertWellFormed(result, what);
        Assert.False(result.Succeeded, what);
        Assert.Contains(result.Diagnostics, d => d.IsError && d.Code is "yaml-limit" or "yaml-syntax");
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{a: ", "}")]
    [InlineData("- ", "")]
    public void Ten_thousand_levels_of_nesting_are_refused(string open, string close)
    {
        var text = "version: v1\ndeployment: demo\nx-deep:\n  " + string.Concat(Enumerable.Repeat(open, 10_000)) + "x" + string.Concat(Enumerable.Repeat(close, 10_000)) + "\n";
        var result = LoadText(text, $"10,000 levels of '{open}'");
        AssertRefusedWithLimit(result, open);
        Assert.Contains(result.Diagnostics, d => d.Message == "nesting deeper than 128 levels" && d.Location.Line == 4);
    }

    [Fact]
    public void Deep_block_indentation_is_refused()
    {
        var sb = new StringBuilder("version: v1\ndeployment: demo\nx-deep:\n");
        for (var i = 1; i <= 1_000; i++)
        {
            sb.Append(' ', i).Append("k:\n");
        }

        AssertRefusedWithLimit(LoadText(sb.ToString(), "1,000 levels of indented maps"), "indented maps");
    }

    [Fact]
    public void Deep_nesting_built_from_aliases_is_refused()
    {
        // Each anchor nests the previous one 120 levels deeper: 110 KB of text for 30,000 levels.
        var sb = new StringBuilder("version: v1\ndeployment: demo\nx-defs:\n");
        sb.Append("  a0: &a0 ").Append('[', 120).Append('1').Append(']', 120).Append('\n');
        for (var i = 1; i < 250; i++)
        {
            sb.Append($"  a{i}: &a{i} ").Append('[', 120).Append($"*a{i - 1}").Append(']', 120).Append('\n');
        }

        sb.Append("services:\n  web:\n    image: { name: nginx }\n    init:\n      steps:\n        - { id: s, uses: init.run, with: { command: x, deep: *a249 } }\n");
        AssertRefusedWithLimit(LoadText(sb.ToString(), "an alias chain 30,000 levels deep"), "alias chain");
    }

    // ---- alias bombs --------------------------------------------------------------------------

    [Fact]
    public void Billion_laughs_is_refused_quickly()
    {
        var sb = new StringBuilder("version: v1\ndeployment: demo\nx-lol:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 10; i++)
        {
            sb.Append($"  l{i}: &l{i} [").AppendJoin(", ", Enumerable.Repeat($"*l{i - 1}", 10)).Append("]\n");
        }

        sb.Append("services:\n  web:\n    image: { name: nginx }\n    labels: *l9\n");
        var stopwatch = Stopwatch.StartNew();
        var result = LoadText(sb.ToString(), "billion laughs");
        AssertRefusedWithLimit(result, "billion laughs");
        Assert.Contains(result.Diagnostics, d => d.Message.StartsWith("document expands to more than", StringComparison.Ordinal));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
        Assert.True(GC.GetTotalMemory(false) < MemoryBound);
    }

    [Fact]
    public void Billion_laughs_through_merge_keys_is_refused()
    {
        var sb = new StringBuilder("version: v1\ndeployment: demo\nx-m:\n  m0: &m0 { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 }\n");
        for (var i = 1; i < 12; i++)
        {
            sb.Append($"  m{i}: &m{i} {{ k{i}: [").AppendJoin(", ", Enumerable.Repeat($"*m{i - 1}", 10)).Append($"], <<: *m{i - 1} }}\n");
        }

        AssertRefusedWithLimit(LoadText(sb.ToString(), "merge-key bomb"), "merge-key bomb");
    }

    [Fact]
    public void Aliases_that_multiply_errors_stay_bounded()
    {
        // 900 references to one endpoint with 1,000 unknown keys: under the node limit, but
        // ~900,000 identical errors if nothing stops them.
        var sb = new StringBuilder("version: v1\ndeployment: demo\nx-defs:\n  ep: &ep\n");
        for (var i = 0; i < 1000; i++)
        {
            sb.Append($"    k{i}: 1\n");
        }

        sb.Append("  list: &list [").AppendJoin(",", Enumerable.Repeat("*ep", 900)).Append("]\n");
        sb.Append("services:\n  web:\n    image: { name: nginx }\n    endpoints: *list\n");
        var stopwatch = Stopwatch.StartNew();
        var result = LoadText(sb.ToString(), "error amplification through aliases");
        AssertWellFormed(result, "error amplification");
        Assert.False(result.Succeeded);
        Assert.InRange(result.Diagnostics.Count, 1, 10_000);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Aliases_that_multiply_warnings_stay_bounded()
    {
        var sb = new StringBuilder("version: v1\ndeployment: demo\nx-defs:\n  pm: &pm\n    container_port: 80\n");
        for (var i = 0; i < 1000; i++)
        {
            sb.Append($"    k{i}: 1\n");
        }

        sb.Append("  list: &list [").AppendJoin(",", Enumerable.Repeat("*pm", 900)).Append("]\n");
        sb.Append("services:\n  web:\n    image: { name: nginx }\n    port_mappings: *list\n");
        var stopwatch = Stopwatch.StartNew();
        var result = LoadText(sb.ToString(), "warning amplification through aliases");
        AssertWellFormed(result, "warning amplification");
        Assert.InRange(result.Diagnostics.Count, 1, 10_000);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }

    // ---- size ---------------------------------------------------------------------------------

    private static string BigSpec(int targetBytes)
    {
        var sb = new StringBuilder("version: v1\ndeployment: big\nservices:\n");
        for (var i = 0; sb.Length < targetBytes; i++)
        {
            sb.Append($"  svc{i}:\n    image: {{ name: ghcr.io/acme/app:1.0 }}\n    env: {{ A: b, C: \"$E:D\" }}\n")
              .Append($"    endpoints: [{{ name: http, protocol: https, port: 443, host: s{i}.example.com }}]\n")
              .Append("    scale: { mode: fixed, replicas: 2 }\n");
        }

        return sb.ToString();
    }

    [Fact]
    public void A_ten_megabyte_spec_loads_within_bounds()
    {
        var text = BigSpec(10 * 1024 * 1024);
        var result = LoadText(text, "a 10 MB spec", BigDeadline);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics.Take(5)));
        Assert.True(result.Spec!.Services.Count > 40_000);
        Assert.True(GC.GetTotalMemory(false) < MemoryBound, $"{GC.GetTotalMemory(false) / 1_000_000} MB in use");
    }

    [Fact]
    public void A_ten_megabyte_spec_with_an_error_at_the_end_reports_it()
    {
        var text = BigSpec(10 * 1024 * 1024) + "  last:\n    image: { name: nginx }\n    replicass: 1\n";
        var result = LoadText(text, "a 10 MB spec with a typo at the end", BigDeadline);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal(text.Count(c => c == '\n'), error.Location.Line);
        Assert.True(GC.GetTotalMemory(false) < MemoryBound);
    }

    [Fact]
    public void A_huge_single_line_gets_a_clean_answer()
    {
        var longValue = "version: v1\ndeployment: demo\nservices:\n  web:\n    image: { name: nginx }\n    labels: { big: " + new string('a', 5_000_000) + " }\n";
        var result = LoadText(longValue, "a 5 MB value", BigDeadline);
        AssertWellFormed(result, "a 5 MB value");
        Assert.True(result.Succeeded);

        var longKey = "version: v1\ndeployment: demo\n" + new string('k', 2_000_000) + ": 1\n";
        AssertWellFormed(LoadText(longKey, "a 2 MB key", BigDeadline), "a 2 MB key");

        var longFlow = "version: v1\ndeployment: demo\nx-flow: [" + string.Join(",", Enumerable.Range(0, 300_000)) + "]\n";
        AssertWellFormed(LoadText(longFlow, "a line with 300,000 items", BigDeadline), "a line with 300,000 items");

        var longImage = OneLine("image: { name: " + new string('a', 1_000_000) + " }");
        var image = LoadText(longImage, "a 1 MB image name", BigDeadline);
        AssertWellFormed(image, "a 1 MB image name");
        Assert.False(image.Succeeded);
        Assert.True(image.Diagnostics.Sum(d => d.Message.Length) < 10_000, "messages quote the whole value");
        Assert.True(GC.GetTotalMemory(false) < MemoryBound);
    }

    private static string OneLine(string serviceLine) => "version: v1\ndeployment: demo\nservices:\n  web:\n    " + serviceLine + "\n";

    [Fact]
    public void Many_unknown_keys_are_reported_with_bounded_output()
    {
        var sb = new StringBuilder("version: v1\ndeployment: demo\nservices:\n  web:\n    image: { name: nginx }\n");
        for (var i = 0; i < 50_000; i++)
        {
            sb.Append($"    unknown{i}: 1\n");
        }

        var result = LoadText(sb.ToString(), "50,000 unknown keys");
        AssertWellFormed(result, "50,000 unknown keys");
        Assert.False(result.Succeeded);
    }

    // ---- bytes and encodings ------------------------------------------------------------------

    [Theory]
    [InlineData("\0")]
    [InlineData("version: v1\0\ndeployment: demo\n")]
    [InlineData("version: v1\ndeployment: de\0mo\n")]
    [InlineData("version: v1\ndeployment: demo\n\0\nservices: { web: { image: { name: x } } }\n")]
    [InlineData("version: \"v1\0\"\ndeployment: demo\n")]
    [InlineData("\0\0\0\0")]
    [InlineData("\uFFFE\uFFFF")]
    [InlineData("\ud800version: v1")]
    [InlineData("version: v1\ndeployment: demo\n\u001b[31m: red\n")]
    [InlineData("\u2028version: v1\u2029\n")]
    public void Control_characters_and_odd_code_points_get_a_clean_answer(string text)
    {
        AssertWellFormed(LoadText(text, Show(text)), Show(text));
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'v', 0 })]
    [InlineData(new byte[] { (byte)'a', (byte)':', (byte)' ', 0xE2, 0x82 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xF8, 0x88, 0x80, 0x80, 0x80 })]
    public void Invalid_utf8_files_are_an_encoding_error(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"zlayer-spec-{Guid.NewGuid():N}.zlayer.yaml");
        try
        {
            System.IO.File.WriteAllBytes(path, [.. "version: v1\ndeployment: demo\n"u8, .. bytes]);
            var result = Run(() => SpecLoader.LoadFiles([path], Options), $"a file with bytes {Convert.ToHexString(bytes)}");
            AssertWellFormed(result, "invalid UTF-8", path);
            var error = Assert.Single(result.Diagnostics);
            Assert.Equal("encoding", error.Code);
            Assert.StartsWith("not valid UTF-8 text (bad byte at offset ", error.Message);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void Files_with_nul_bytes_crlf_or_a_bom_get_a_clean_answer()
    {
        var dir = Directory.CreateTempSubdirectory("zlayer-spec-");
        try
        {
            var cases = new Dictionary<string, byte[]>
            {
                ["nul.zlayer.yaml"] = [.. "version: v1\ndeployment: demo\n\0\0services: {}\n"u8],
                ["crlf.zlayer.yaml"] = [.. "version: v1\r\ndeployment: demo\r\nservices:\r\n  web:\r\n    image: { name: nginx }\r\n"u8],
                ["bom.zlayer.yaml"] = [0xEF, 0xBB, 0xBF, .. "version: v1\ndeployment: demo\nservices:\n  web:\n    image: { name: nginx }\n"u8],
                ["random.zlayer.yaml"] = RandomBytes(new Random(7), 4096),
            };
            foreach (var (name, bytes) in cases)
            {
                var path = Path.Combine(dir.FullName, name);
                System.IO.File.WriteAllBytes(path, bytes);
                var result = Run(() => SpecLoader.LoadFiles([path], Options), name);
                AssertWellFormed(result, name, path);
            }

            AssertValidFile(Path.Combine(dir.FullName, "crlf.zlayer.yaml"));
            AssertValidFile(Path.Combine(dir.FullName, "bom.zlayer.yaml"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        static void AssertValidFile(string path)
        {
            var result = SpecLoader.LoadFiles([path], Options);
            Assert.True(result.Succeeded && result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
        }
    }

    [Fact]
    public void A_bom_in_text_is_not_part_of_the_first_key()
    {
        var result = SpecLoader.LoadText("\uFEFFversion: v1\ndeployment: demo\n", File, Options);
        Assert.True(result.Succeeded && result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
    }

    [Fact]
    public void Files_over_the_size_limit_are_refused_without_reading_them()
    {
        var path = Path.Combine(Path.GetTempPath(), $"zlayer-spec-{Guid.NewGuid():N}.zlayer.yaml");
        try
        {
            using (var stream = System.IO.File.Create(path))
            {
                stream.SetLength(40L * 1024 * 1024);
            }

            var stopwatch = Stopwatch.StartNew();
            var result = Run(() => SpecLoader.LoadFiles([path], Options), "a 40 MB file");
            var error = Assert.Single(result.Diagnostics);
            Assert.Equal("file-too-large", error.Code);
            Assert.Equal($"file is {40L * 1024 * 1024} bytes, more than the limit of {32L * 1024 * 1024}", error.Message);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2));
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void Missing_files_and_directories_are_io_errors()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"zlayer-spec-{Guid.NewGuid():N}.yaml");
        var result = SpecLoader.LoadFiles([missing], Options);
        Assert.Equal("no such file", Assert.Single(result.Diagnostics).Message);
        Assert.Equal(new SourceLocation(missing, 0, 0), result.Diagnostics[0].Location);

        var dir = Path.GetTempPath();
        Assert.Equal("is a directory, not a spec file", Assert.Single(SpecLoader.LoadFiles([dir], Options).Diagnostics).Message);
    }

    [Fact]
    public void Random_text_gets_a_clean_answer()
    {
        var random = new Random(99);
        for (var i = 0; i < 500; i++)
        {
            var text = RandomNoise(random, random.Next(0, 200)) + (random.Next(2) == 0 ? "version: v1\ndeployment: demo\n" : "") + RandomNoise(random, random.Next(0, 50));
            var what = $"random text {i}: {Show(text)}";
            AssertWellFormed(LoadText(text, what), what);
        }
    }
}
