using System;
using System.Collections.Generic;

namespace MailTls.Clients.Formats
{
    /// <summary>One <c>keyword value</c> line, with where its value sits.</summary>
    internal sealed class KeywordLine
    {
        public KeywordLine(string keyword, string value, int lineStart, int valueStart, int valueLength, int lineEnd, string indent)
        {
            Keyword = keyword;
            Value = value;
            LineStart = lineStart;
            ValueStart = valueStart;
            ValueLength = valueLength;
            LineEnd = lineEnd;
            Indent = indent;
        }

        public string Keyword { get; }

        /// <summary>The value, without surrounding double quotes.</summary>
        public string Value { get; }

        public int LineStart { get; }

        public int ValueStart { get; }

        public int ValueLength { get; }

        /// <summary>Just past the line's newline.</summary>
        public int LineEnd { get; }

        public string Indent { get; }
    }

    /// <summary>
    /// A file of <c>keyword value</c> lines with # comments (msmtp's config, isync's mbsyncrc). Read by position so a
    /// change replaces one value or adds one line, keeping comments, blank lines and unknown keywords.
    /// </summary>
    internal sealed class KeywordFile
    {
        private KeywordFile(ConfigText file)
        {
            File = file;
        }

        public ConfigText File { get; }

        /// <summary>The keyword lines in file order (comments and blank lines are not listed).</summary>
        public List<KeywordLine> Lines { get; } = new List<KeywordLine>();

        /// <exception cref="ClientConfigException">A quoted value is not closed.</exception>
        public static KeywordFile Parse(ConfigText file)
        {
            var document = new KeywordFile(file);
            var text = file.Text;
            var number = 0;
            for (var start = 0; start < text.Length;)
            {
                number++;
                var newline = text.IndexOf('\n', start);
                var end = newline < 0 ? text.Length : newline + 1;
                var contentEnd = newline < 0 ? text.Length : (newline > start && text[newline - 1] == '\r' ? newline - 1 : newline);
                var at = start;
                while (at < contentEnd && (text[at] == ' ' || text[at] == '\t'))
                {
                    at++;
                }

                if (at < contentEnd && text[at] != '#')
                {
                    var keywordStart = at;
                    while (at < contentEnd && text[at] != ' ' && text[at] != '\t')
                    {
                        at++;
                    }

                    var keyword = text.Substring(keywordStart, at - keywordStart);
                    while (at < contentEnd && (text[at] == ' ' || text[at] == '\t'))
                    {
                        at++;
                    }

                    var valueEnd = contentEnd;
                    while (valueEnd > at && (text[valueEnd - 1] == ' ' || text[valueEnd - 1] == '\t'))
                    {
                        valueEnd--;
                    }

                    var value = text.Substring(at, valueEnd - at);
                    if (value.StartsWith("\"", StringComparison.Ordinal))
                    {
                        if (value.Length < 2 || !value.EndsWith("\"", StringComparison.Ordinal))
                        {
                            throw ClientConfigException.Malformed(file.Path, number, $"the value of '{keyword}' opens a quote it does not close");
                        }

                        value = value.Substring(1, value.Length - 2).Replace("\\\"", "\"").Replace("\\\\", "\\");
                    }

                    document.Lines.Add(new KeywordLine(keyword, value, start, at, valueEnd - at, end, text.Substring(start, keywordStart - start)));
                }

                start = end;
            }

            return document;
        }

        /// <summary>The edit that replaces a line's value.</summary>
        public SettingEdit? Replace(KeywordLine line, string value, string? setting = null) =>
            line.Value == value ? null : new SettingEdit(File.Path, setting ?? line.Keyword, line.Value, value, new TextEdit(line.ValueStart, line.ValueLength, Quote(value)));

        /// <summary>The edit that adds <c>keyword value</c> after a line, indented like it.</summary>
        public SettingEdit Insert(KeywordLine after, string keyword, string value, string? setting = null)
        {
            var lead = after.LineEnd > 0 && File.Text[after.LineEnd - 1] != '\n' ? File.Newline : string.Empty;
            return new SettingEdit(File.Path, setting ?? keyword, null, value, new TextEdit(after.LineEnd, 0, lead + after.Indent + keyword + " " + Quote(value) + File.Newline));
        }

        private static string Quote(string value) =>
            value.IndexOfAny(new[] { ' ', '\t', '#', '"' }) < 0 ? value : "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}
