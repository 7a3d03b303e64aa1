using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using ZLayer.Spec.Diagnostics;

namespace ZLayer.Spec.Yaml;

/// <summary>
/// Reads one YAML document into a <see cref="YNode"/> tree with positions, resolving anchors,
/// aliases and merge keys (<c>&lt;&lt;</c>) without recursion, and within <see cref="YamlReadLimits"/>.
/// Syntax errors, duplicate keys and limits become diagnostics; nothing here throws on bad input.
/// </summary>
public static class YamlTreeReader
{
    private const string MergeKey = "<<";

    public static YNode? Read(string text, string file, DiagnosticBag diagnostics, YamlReadLimits? limits = null)
    {
        limits ??= YamlReadLimits.Default;
        if (text.StartsWith('\uFEFF'))
        {
            // A byte order mark (as Windows editors write) is not part of the first key.
            text = text[1..];
        }

        if (text.Length > limits.MaxBytes)
        {
            diagnostics.Error("file-too-large", $"file is {text.Length} bytes, more than the limit of {limits.MaxBytes}", new SourceLocation(file, 1, 1));
            return null;
        }

        var state = new ReadState(file, diagnostics, limits);
        try
        {
            return state.Run(new Parser(new StringReader(text)));
        }
        catch (YamlException ex)
        {
            diagnostics.Error("yaml-syntax", CleanMessage(ex), new SourceLocation(file, (int)ex.Start.Line, (int)ex.Start.Column));
            return null;
        }
        catch (LimitExceededException ex)
        {
            diagnostics.Error("yaml-limit", ex.Message, ex.Location);
            return null;
        }
    }

    private static string CleanMessage(YamlException ex)
    {
        // YamlDotNet prefixes messages with "(Line: x, Col: y, Idx: z) - (...): "; we print our own position.
        var message = ex.Message;
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && cut > 0)
        {
            message = message[(cut + 3)..];
        }

        message = message.Trim();
        if (message.Length > 0 && char.IsUpper(message[0]) && (message.Length == 1 || !char.IsUpper(message[1])))
        {
            message = char.ToLowerInvariant(message[0]) + message[1..];
        }

        return "YAML syntax: " + message.TrimEnd('.');
    }

    private sealed class LimitExceededException(string message, SourceLocation location) : Exception(message)
    {
        public SourceLocation Location { get; } = location;
    }

    private sealed class Frame(bool isMapping, SourceLocation location, string? tag, string? anchor)
    {
        public bool IsMapping { get; } = isMapping;
        public SourceLocation Location { get; } = location;
        public string? Tag { get; } = tag;
        public string? Anchor { get; } = anchor;
        public List<YNode> Items { get; } = [];
        public List<KeyValuePair<YScalar, YNode>> Entries { get; } = [];
        public YScalar? PendingKey { get; set; }
        public bool SkipNextValue { get; set; }
        public long Weight { get; set; } = 1;

        /// <summary>Levels of collections from this one down, aliased subtrees included.</summary>
        public int Height { get; set; } = 1;
    }

    private sealed class ReadState(string file, DiagnosticBag diagnostics, YamlReadLimits limits)
    {
        private readonly Stack<Frame> _stack = new();
        private readonly Dictionary<string, (YNode Node, long Weight, int Height)> _anchors = new(StringComparer.Ordinal);
        private long _expanded;
        private YNode? _root;
        private int _documents;

        private Mark _lastMark = new(0, 1, 1);

        public YNode? Run(IParser parser)
        {
            while (MoveNext(parser))
            {
                var current = parser.Current!;
                _lastMark = current.End;
                switch (current)
                {
                    case DocumentStart start:
                        _documents++;
                        if (_documents > 1)
                        {
                            diagnostics.Error("multiple-documents", "a spec file holds exactly one YAML document; found another one here (---)", Loc(start.Start));
                            return _root;
                        }

                        break;
                    case MappingStart ms:
                        Push(new Frame(true, Loc(ms.Start), TagOf(ms.Tag), AnchorOf(ms.Anchor)));
                        break;
                    case SequenceStart ss:
                        Push(new Frame(false, Loc(ss.Start), TagOf(ss.Tag), AnchorOf(ss.Anchor)));
                        break;
                    case MappingEnd:
                        {
                            var frame = _stack.Pop();
                            var node = new YMapping(frame.Location, ResolveMerges(frame)) { Tag = frame.Tag };
                            Complete(node, frame.Weight, frame.Height, frame.Anchor);
                            break;
                        }

                    case SequenceEnd:
                        {
                            var frame = _stack.Pop();
                            var node = new YSequence(frame.Location, frame.Items) { Tag = frame.Tag };
                            Complete(node, frame.Weight, frame.Height, frame.Anchor);
                            break;
                        }

                    case Scalar scalar:
                        {
                            Count(1, Loc(scalar.Start));
                            var node = new YScalar(Loc(scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain) { Tag = TagOf(scalar.Tag) };
                            Complete(node, 1, 0, AnchorOf(scalar.Anchor));
                            break;
                        }

                    case AnchorAlias alias:
                        {
                            var name = alias.Value.Value;
                            if (!_anchors.TryGetValue(name, out var target))
                            {
                                // YamlDotNet reports unknown anchors itself; this is a second line of defence.
                                diagnostics.Error("yaml-alias", $"alias *{name} refers to no anchor defined before it", Loc(alias.Start));
                                Complete(new YScalar(Loc(alias.Start), "", true), 1, 0, null);
                                break;
                            }

                            Count(target.Weight, Loc(alias.Start));
                            // An alias nests a whole subtree here: without this, a chain of anchors
                            // builds a tree deep enough to overflow the stack of any recursive reader.
                            if (_stack.Count + target.Height > limits.MaxDepth)
                            {
                                throw new LimitExceededException($"nesting deeper than {limits.MaxDepth} levels (aliases included)", Loc(alias.Start));
                            }

                            Complete(target.Node, target.Weight, target.Height, null);
                            break;
                        }
                }
            }

            return _root;
        }

        /// <summary>
        /// YamlDotNet fails on some malformed flow collections (an unclosed '[' followed by another
        /// key) with an exception about its own state; that is a syntax error where reading stopped.
        /// </summary>
        private bool MoveNext(IParser parser)
        {
            try
            {
                return parser.MoveNext();
            }
            catch (InvalidOperationException)
            {
                throw new SyntaxErrorException(_lastMark, _lastMark, "Cannot read past this point; look for an unclosed '[', '{' or quote.");
            }
        }

        private void Push(Frame frame)
        {
            Count(1, frame.Location);
            if (_stack.Count >= limits.MaxDepth)
            {
                throw new LimitExceededException($"nesting deeper than {limits.MaxDepth} levels", frame.Location);
            }

            _stack.Push(frame);
        }

        private void Count(long nodes, SourceLocation at)
        {
            _expanded += nodes;
            if (_expanded > limits.MaxExpandedNodes)
            {
                throw new LimitExceededException(
                    $"document expands to more than {limits.MaxExpandedNodes} nodes (aliases included); refusing to read it", at);
            }
        }

        private void Complete(YNode node, long weight, int height, string? anchor)
        {
            if (anchor is not null)
            {
                _anchors[anchor] = (node, weight, height);
            }

            if (_stack.Count == 0)
            {
                _root = node;
                return;
            }

            var parent = _stack.Peek();
            parent.Weight += weight;
            parent.Height = Math.Max(parent.Height, height + 1);
            if (!parent.IsMapping)
            {
                parent.Items.Add(node);
                return;
            }

            if (parent.PendingKey is null && !parent.SkipNextValue)
            {
                if (node is YScalar key)
                {
                    parent.PendingKey = key;
                }
                else
                {
                    diagnostics.Error("yaml-complex-key", $"a {node.KindName} cannot be used as a key; keys are plain text", node.Location);
                    parent.SkipNextValue = true;
                }

                return;
            }

            if (parent.SkipNextValue)
            {
                parent.SkipNextValue = false;
                return;
            }

            parent.Entries.Add(new KeyValuePair<YScalar, YNode>(parent.PendingKey!, node));
            parent.PendingKey = null;
        }

        /// <summary>Applies YAML merge keys: explicit keys win, then earlier merged maps over later ones.</summary>
        private List<KeyValuePair<YScalar, YNode>> ResolveMerges(Frame frame)
        {
            var result = new List<KeyValuePair<YScalar, YNode>>(frame.Entries.Count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var merged = new List<YMapping>();
            foreach (var (key, value) in frame.Entries)
            {
                if (key.IsPlain && key.Value == MergeKey)
                {
                    CollectMergeSources(value, merged);
                    continue;
                }

                if (!seen.Add(key.Value))
                {
                    diagnostics.Error("duplicate-key", $"key '{key.Value}' appears twice in this map", key.Location);
                    continue;
                }

                result.Add(new KeyValuePair<YScalar, YNode>(key, value));
            }

            foreach (var source in merged)
            {
                foreach (var entry in source.Entries)
                {
                    if (seen.Add(entry.Key.Value))
                    {
                        result.Add(entry);
                    }
                }
            }

            return result;
        }

        private void CollectMergeSources(YNode value, List<YMapping> into)
        {
            switch (value)
            {
                case YMapping map:
                    into.Add(map);
                    break;
                case YSequence seq:
                    foreach (var item in seq.Items)
                    {
                        if (item is YMapping m)
                        {
                            into.Add(m);
                        }
                        else
                        {
                            diagnostics.Error("yaml-merge", $"a merge key (<<) takes maps; found a {item.KindName}", item.Location);
                        }
                    }

                    break;
                default:
                    diagnostics.Error("yaml-merge", $"a merge key (<<) takes a map or a list of maps; found a {value.KindName}", value.Location);
                    break;
            }
        }

        private SourceLocation Loc(Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

        private static string? TagOf(TagName tag) => tag.IsEmpty || tag.IsNonSpecific ? null : tag.Value;

        private static string? AnchorOf(AnchorName anchor) => anchor.IsEmpty ? null : anchor.Value;
    }
}
