using System;
using System.Collections.Generic;
using System.Linq;

namespace MailTls.Clients.Formats
{
    /// <summary>One <c>key=value</c> line of an INI-style file, with where its value sits.</summary>
    internal sealed class IniEntry
    {
        public IniEntry(string key, string value, int valueStart, int valueLength, int lineEnd)
        {
            Key = key;
            Value = value;
            ValueStart = valueStart;
            ValueLength = valueLength;
            LineEnd = lineEnd;
        }

        public string Key { get; }

        public string Value { get; }

        public int ValueStart { get; }

        public int ValueLength { get; }

        /// <summary>The value goes on over indented lines (configparser).</summary>
        public bool Continued { get; set; }

        /// <summary>Just past the newline of its last line (a configparser value may go on over indented lines).</summary>
        public int LineEnd { get; set; }
    }

    /// <summary>A <c>[section]</c> and its entries.</summary>
    internal sealed class IniSection
    {
        public IniSection(string name, int headerEnd)
        {
            Name = name;
            HeaderEnd = headerEnd;
        }

        public string Name { get; }

        /// <summary>Just past the header line's newline.</summary>
        public int HeaderEnd { get; }

        public List<IniEntry> Entries { get; } = new List<IniEntry>();

        /// <summary>The last value of a key (GKeyFile and configparser: a later line wins).</summary>
        public string? this[string key] => Entries.LastOrDefault(e => e.Key == key)?.Value;

        /// <summary>The last value of a key, matched without regard to case (Windows INI files).</summary>
        public string? Get(string key) => Entries.LastOrDefault(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase))?.Value;
    }

    /// <summary>
    /// An INI-style file read by position: profiles.ini, GLib key files (Evolution's .source files), Claws Mail's
    /// accountrc, Python configparser files (getmail). Edits replace one value or add one line in a section; comments,
    /// order, spacing and unknown keys stay as they are.
    /// </summary>
    internal sealed class IniDocument
    {
        private IniDocument(ConfigText file)
        {
            File = file;
        }

        public ConfigText File { get; }

        public List<IniSection> Sections { get; } = new List<IniSection>();

        /// <param name="file">The file.</param>
        /// <param name="colonSeparates">configparser also takes <c>key: value</c>.</param>
        /// <exception cref="ClientConfigException">A line is neither a section, an entry, a comment nor blank.</exception>
        public static IniDocument Parse(ConfigText file, bool colonSeparates = false)
        {
            var document = new IniDocument(file);
            var text = file.Text;
            IniSection? section = null;
            var lineNumber = 0;
            for (var start = 0; start < text.Length;)
            {
                lineNumber++;
                var newline = text.IndexOf('\n', start);
                var end = newline < 0 ? text.Length : newline + 1;
                var contentEnd = newline < 0 ? text.Length : (newline > start && text[newline - 1] == '\r' ? newline - 1 : newline);
                var line = text.Substring(start, contentEnd - start);
                var trimmed = line.Trim();
                if (trimmed.Length == 0 || trimmed[0] == '#' || trimmed[0] == ';')
                {
                    // Blank or comment.
                }
                else if (trimmed[0] == '[')
                {
                    var close = trimmed.LastIndexOf(']');
                    if (close < 1)
                    {
                        throw ClientConfigException.Malformed(file.Path, lineNumber, "a section header is not closed with ']'");
                    }

                    section = new IniSection(trimmed.Substring(1, close - 1), end);
                    document.Sections.Add(section);
                }
                else if (colonSeparates && char.IsWhiteSpace(line[0]) && section?.Entries.Count > 0)
                {
                    // A configparser continuation line: part of the previous value (MailTls never edits such a value), and a
                    // line added after that entry goes after it.
                    var continued = section!.Entries[section.Entries.Count - 1];
                    continued.LineEnd = end;
                    continued.Continued = true;
                }
                else
                {
                    var separator = colonSeparates ? line.IndexOfAny(new[] { '=', ':' }) : line.IndexOf('=');
                    if (separator <= 0 || line.Substring(0, separator).Trim().Length == 0)
                    {
                        throw ClientConfigException.Malformed(file.Path, lineNumber, $"'{Shorten(trimmed)}' is not a 'key=value' line");
                    }

                    if (section == null)
                    {
                        section = new IniSection(string.Empty, start);
                        document.Sections.Add(section);
                    }

                    var valueStart = separator + 1;
                    while (valueStart < line.Length && (line[valueStart] == ' ' || line[valueStart] == '\t'))
                    {
                        valueStart++;
                    }

                    var valueEnd = line.Length;
                    while (valueEnd > valueStart && (line[valueEnd - 1] == ' ' || line[valueEnd - 1] == '\t'))
                    {
                        valueEnd--;
                    }

                    section.Entries.Add(new IniEntry(line.Substring(0, separator).Trim(), line.Substring(valueStart, valueEnd - valueStart),
                        start + valueStart, valueEnd - valueStart, end));
                }

                start = end;
            }

            return document;
        }

        public IniSection? Section(string name) => Sections.FirstOrDefault(s => s.Name == name);

        /// <summary>The edit that makes <paramref name="key"/> in <paramref name="section"/> hold <paramref name="value"/>; null when it does.</summary>
        public SettingEdit? Set(IniSection section, string key, string value, string? display = null, bool ignoreCase = false)
        {
            var setting = (section.Name.Length > 0 ? section.Name + "/" : string.Empty) + key;
            var entry = section.Entries.LastOrDefault(e => string.Equals(e.Key, key, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
            if (entry != null && entry.Continued && entry.Value != value)
            {
                throw new ClientConfigException("ValueSpansLines", File.Path,
                    $"'{setting}' in '{File.Path}' goes on over several lines; MailTls changes only one-line values. Put it on one line and run the command again.");
            }

            if (entry != null)
            {
                return entry.Value == value ? null : new SettingEdit(File.Path, setting, entry.Value, display ?? value, new TextEdit(entry.ValueStart, entry.ValueLength, value));
            }

            // A new line after the section's last entry, spaced like the entries already there ("key = value" or "key=value").
            var last = section.Entries.LastOrDefault();
            var at = last?.LineEnd ?? section.HeaderEnd;
            var spaced = last != null && File.Text.Substring(0, last.ValueStart).TrimEnd('\t').EndsWith("= ", StringComparison.Ordinal);
            var lead = at > 0 && File.Text[at - 1] != '\n' ? File.Newline : string.Empty;
            var line = lead + key + (spaced ? " = " : "=") + value + File.Newline;
            return new SettingEdit(File.Path, setting, null, display ?? value, new TextEdit(at, 0, line));
        }

        /// <summary>Like <see cref="Set(IniSection, string, string, string, bool)"/>, adding the section at the end when the file has none of that name.</summary>
        public SettingEdit? Set(string section, string key, string value, string? display = null)
        {
            var existing = Section(section);
            if (existing != null)
            {
                return Set(existing, key, value, display);
            }

            var text = File.Text;
            var lead = text.Length == 0 ? string.Empty : text.EndsWith("\n", StringComparison.Ordinal) ? File.Newline : File.Newline + File.Newline;
            return new SettingEdit(File.Path, section + "/" + key, null, display ?? value,
                new TextEdit(text.Length, 0, lead + "[" + section + "]" + File.Newline + key + "=" + value + File.Newline));
        }

        private static string Shorten(string line) => line.Length > 60 ? line.Substring(0, 60) + "…" : line;
    }
}
