using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MailTls.Clients.Formats
{
    /// <summary>One <c>user_pref("name", value);</c> statement, with where its value sits in the text.</summary>
    internal sealed class PrefEntry
    {
        public PrefEntry(string name, object value, int valueStart, int valueLength)
        {
            Name = name;
            Value = value;
            ValueStart = valueStart;
            ValueLength = valueLength;
        }

        public string Name { get; }

        /// <summary>A string, an int or a bool.</summary>
        public object Value { get; }

        public int ValueStart { get; }

        public int ValueLength { get; }
    }

    /// <summary>
    /// A Mozilla preferences file (prefs.js, user.js; Netscape 4.x preferences.js): statements
    /// <c>user_pref("name", value);</c> (also <c>pref</c>, <c>sticky_pref</c>) with string, integer or boolean values,
    /// and //, /* */ and # comments. Read by position so a change replaces just one value and keeps every other byte.
    /// </summary>
    internal sealed class PrefsFile
    {
        private readonly Dictionary<string, PrefEntry> _last = new Dictionary<string, PrefEntry>(StringComparer.Ordinal);

        private PrefsFile(ConfigText file)
        {
            File = file;
        }

        public ConfigText File { get; }

        /// <summary>The statements, in file order (a later one wins, as in the client).</summary>
        public List<PrefEntry> Entries { get; } = new List<PrefEntry>();

        /// <exception cref="ClientConfigException">The file is not valid preferences syntax.</exception>
        public static PrefsFile Parse(ConfigText file)
        {
            var prefs = new PrefsFile(file);
            new Parser(file).Run(prefs);
            foreach (var entry in prefs.Entries)
            {
                prefs._last[entry.Name] = entry;
            }

            return prefs;
        }

        /// <summary>Reads another file's statements over these (user.js over prefs.js); the result is for reading, not for edits.</summary>
        public void Overlay(PrefsFile later)
        {
            foreach (var entry in later.Entries)
            {
                _last[entry.Name] = entry;
            }
        }

        public PrefEntry? Find(string name) => _last.TryGetValue(name, out var entry) ? entry : null;

        public IEnumerable<string> Names => _last.Keys;

        public string? String(string name) => Find(name)?.Value as string;

        public int? Int(string name) => Find(name)?.Value switch
        {
            int i => i,
            string s when int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };

        public bool? Bool(string name) => Find(name)?.Value as bool?;

        /// <summary>The edit that makes <paramref name="name"/> hold <paramref name="value"/>: the value replaced in place, or a new statement at the end.</summary>
        public SettingEdit? Set(string name, object value)
        {
            var literal = Literal(value);
            var entry = Find(name);
            if (entry != null)
            {
                return Equals(entry.Value, value) ? null
                    : new SettingEdit(File.Path, name, Display(entry.Value), Display(value), new TextEdit(entry.ValueStart, entry.ValueLength, literal));
            }

            var text = File.Text;
            var lead = text.Length == 0 || text.EndsWith("\n", StringComparison.Ordinal) ? string.Empty : File.Newline;
            return new SettingEdit(File.Path, name, null, Display(value),
                new TextEdit(text.Length, 0, lead + "user_pref(" + Literal(name) + ", " + literal + ");" + File.Newline));
        }

        /// <summary>The edit that changes <paramref name="name"/> only where the file sets it (user.js overrides).</summary>
        public SettingEdit? Override(string name, object value) => Find(name) == null ? null : Set(name, value);

        public static string Display(object value) => value switch
        {
            bool b => b ? "true" : "false",
            int i => i.ToString(CultureInfo.InvariantCulture),
            _ => (string)value,
        };

        public static string Literal(object value)
        {
            if (!(value is string s))
            {
                return Display(value);
            }

            var builder = new StringBuilder("\"");
            foreach (var c in s)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    case '\n': builder.Append("\\n"); break;
                    case '\r': builder.Append("\\r"); break;
                    default: builder.Append(c); break;
                }
            }

            return builder.Append('"').ToString();
        }

        /// <summary>The comma-separated lists Mozilla keeps (mail.accountmanager.accounts, mail.smtpservers).</summary>
        public IReadOnlyList<string> List(string name) =>
            (String(name) ?? string.Empty).Split(',').Select(p => p.Trim()).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToArray();

        private sealed class Parser
        {
            private readonly ConfigText _file;
            private readonly string _text;
            private int _at;

            public Parser(ConfigText file)
            {
                _file = file;
                _text = file.Text;
            }

            public void Run(PrefsFile prefs)
            {
                while (true)
                {
                    SkipSpace();
                    if (_at >= _text.Length)
                    {
                        return;
                    }

                    var start = _at;
                    while (_at < _text.Length && (char.IsLetter(_text[_at]) || _text[_at] == '_'))
                    {
                        _at++;
                    }

                    var function = _text.Substring(start, _at - start);
                    if (function != "user_pref" && function != "pref" && function != "sticky_pref" && function != "lockPref" && function != "defaultPref")
                    {
                        throw Fail(start, function.Length == 0 ? $"unexpected '{_text[start]}'" : $"'{function}' is not a preference statement");
                    }

                    Expect('(');
                    SkipSpace();
                    var name = ReadString() ?? throw Fail(_at, "a preference name in quotes was expected");
                    Expect(',');
                    SkipSpace();
                    var valueStart = _at;
                    var value = ReadValue();
                    var valueLength = _at - valueStart;
                    SkipSpace();
                    while (_at < _text.Length && _text[_at] == ',')
                    {
                        // Attributes of the newer parser: pref("x", 1, locked, sticky).
                        _at++;
                        SkipSpace();
                        while (_at < _text.Length && char.IsLetter(_text[_at]))
                        {
                            _at++;
                        }

                        SkipSpace();
                    }

                    Expect(')');
                    Expect(';');
                    prefs.Entries.Add(new PrefEntry(name, value, valueStart, valueLength));
                }
            }

            private object ReadValue()
            {
                var s = ReadString();
                if (s != null)
                {
                    return s;
                }

                if (Word("true"))
                {
                    return true;
                }

                if (Word("false"))
                {
                    return false;
                }

                var start = _at;
                if (_at < _text.Length && (_text[_at] == '-' || _text[_at] == '+'))
                {
                    _at++;
                }

                while (_at < _text.Length && char.IsDigit(_text[_at]))
                {
                    _at++;
                }

                if (!int.TryParse(_text.Substring(start, _at - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                {
                    throw Fail(start, "a value (a string in quotes, a whole number, true or false) was expected");
                }

                return number;
            }

            private bool Word(string word)
            {
                if (string.CompareOrdinal(_text, _at, word, 0, word.Length) == 0 && (_at + word.Length >= _text.Length || !char.IsLetterOrDigit(_text[_at + word.Length])))
                {
                    _at += word.Length;
                    return true;
                }

                return false;
            }

            private string? ReadString()
            {
                if (_at >= _text.Length || (_text[_at] != '"' && _text[_at] != '\''))
                {
                    return null;
                }

                var quote = _text[_at];
                var start = _at++;
                var builder = new StringBuilder();
                while (true)
                {
                    if (_at >= _text.Length || _text[_at] == '\n')
                    {
                        throw Fail(start, "a string is not closed");
                    }

                    var c = _text[_at++];
                    if (c == quote)
                    {
                        return builder.ToString();
                    }

                    if (c != '\\')
                    {
                        builder.Append(c);
                        continue;
                    }

                    if (_at >= _text.Length)
                    {
                        throw Fail(start, "a string is not closed");
                    }

                    var e = _text[_at++];
                    switch (e)
                    {
                        case 'n': builder.Append('\n'); break;
                        case 'r': builder.Append('\r'); break;
                        case 't': builder.Append('\t'); break;
                        case 'x': builder.Append((char)Hex(2, start)); break;
                        case 'u': builder.Append((char)Hex(4, start)); break;
                        default: builder.Append(e); break;
                    }
                }
            }

            private int Hex(int digits, int start)
            {
                if (_at + digits > _text.Length || !int.TryParse(_text.Substring(_at, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
                {
                    throw Fail(start, "a \\x or \\u escape is not followed by hexadecimal digits");
                }

                _at += digits;
                return value;
            }

            private void Expect(char c)
            {
                SkipSpace();
                if (_at >= _text.Length || _text[_at] != c)
                {
                    throw Fail(_at, $"'{c}' was expected");
                }

                _at++;
            }

            private void SkipSpace()
            {
                while (_at < _text.Length)
                {
                    var c = _text[_at];
                    if (char.IsWhiteSpace(c))
                    {
                        _at++;
                    }
                    else if (c == '#' || (c == '/' && _at + 1 < _text.Length && _text[_at + 1] == '/'))
                    {
                        while (_at < _text.Length && _text[_at] != '\n')
                        {
                            _at++;
                        }
                    }
                    else if (c == '/' && _at + 1 < _text.Length && _text[_at + 1] == '*')
                    {
                        var end = _text.IndexOf("*/", _at + 2, StringComparison.Ordinal);
                        if (end < 0)
                        {
                            throw Fail(_at, "a /* comment is not closed");
                        }

                        _at = end + 2;
                    }
                    else
                    {
                        return;
                    }
                }
            }

            private ClientConfigException Fail(int offset, string what) =>
                ClientConfigException.Malformed(_file.Path, ConfigText.LineOf(_text, offset), what);
        }
    }
}
