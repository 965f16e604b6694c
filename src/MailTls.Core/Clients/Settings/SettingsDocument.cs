using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using System.Xml.XPath;
using MailTls.Clients.Formats;

namespace MailTls.Clients.Settings
{
    /// <summary>How a value is written in its file, so a change writes it the same way (a JSON number stays a number).</summary>
    internal enum SpotKind
    {
        /// <summary>A JSON true/false.</summary>
        JsonBoolean,

        /// <summary>A JSON number.</summary>
        JsonNumber,

        /// <summary>A JSON string (with its quotes).</summary>
        JsonString,

        /// <summary>A JSON null: no value to change (MailTls does not invent one's type).</summary>
        JsonNull,

        /// <summary>Text in XML (an attribute value or an element's text), entities escaped.</summary>
        XmlText,

        /// <summary>A bare INI value.</summary>
        Word,
    }

    /// <summary>Where one setting's value is in the text, what it says, and how it is written.</summary>
    internal sealed class SettingSpot
    {
        public SettingSpot(string key, int start, int length, string value, SpotKind kind)
        {
            Key = key;
            Start = start;
            Length = length;
            Value = value;
            Kind = kind;
        }

        public string Key { get; }

        public int Start { get; }

        public int Length { get; }

        /// <summary>The value, decoded (no quotes, no escapes).</summary>
        public string Value { get; }

        public SpotKind Kind { get; }

        /// <summary>The flag's truth: true/yes/on/1 (any case).</summary>
        public bool IsTrue => new[] { "true", "yes", "on", "1" }.Contains(Value.Trim().ToLowerInvariant());

        /// <summary>Whether the value reads as a flag at all.</summary>
        public bool IsFlag => IsTrue || new[] { "false", "no", "off", "0" }.Contains(Value.Trim().ToLowerInvariant());

        /// <summary>The literal for a flag, spelled as this one is (True/False, yes/no, on/off, 1/0), ready for the file.</summary>
        public string FlagLiteral(bool on)
        {
            var current = Value.Trim();
            var word = current.ToLowerInvariant() switch
            {
                "yes" or "no" => on ? "yes" : "no",
                "on" or "off" => on ? "on" : "off",
                "1" or "0" => on ? "1" : "0",
                _ => on ? "true" : "false",
            };
            if (current.Length > 0 && current.ToUpperInvariant() == current && char.IsLetter(current[0]))
            {
                word = word.ToUpperInvariant();
            }
            else if (current.Length > 0 && char.IsUpper(current[0]))
            {
                word = char.ToUpperInvariant(word[0]) + word.Substring(1);
            }

            return Literal(word);
        }

        /// <summary>A value as the file writes one of this kind (a JSON string gets quotes and escapes, XML text its entities).</summary>
        public string Literal(string value) => Kind switch
        {
            SpotKind.JsonString => JsonString(value),
            SpotKind.XmlText => System.Security.SecurityElement.Escape(value) ?? string.Empty,
            _ => value,
        };

        private static string JsonString(string value)
        {
            var builder = new StringBuilder("\"");
            foreach (var c in value)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    default:
                        if (c < ' ')
                        {
                            builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            builder.Append(c);
                        }

                        break;
                }
            }

            return builder.Append('"').ToString();
        }
    }

    /// <summary>Finds settings by key in a JSON, XML or INI text, by position, so only their values change.</summary>
    internal static class SettingsDocument
    {
        /// <summary>The spot of <paramref name="key"/>.</summary>
        /// <exception cref="ClientConfigException">The text is malformed (ConfigMalformed), or the key is missing or ambiguous (MapKeyMissing, MapKeyAmbiguous).</exception>
        public static SettingSpot Find(ConfigText text, SettingsFormat format, string key) => format switch
        {
            SettingsFormat.Json => FindJson(text, key),
            SettingsFormat.Xml => FindXml(text, key),
            _ => FindIni(text, key),
        };

        private static SettingSpot FindJson(ConfigText file, string key)
        {
            var bytes = Encoding.UTF8.GetBytes(file.Text);
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var frames = new Stack<(string Path, bool IsArray, int Index, string? Property)>();
            var found = new List<SettingSpot>();
            try
            {
                while (reader.Read())
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.PropertyName:
                            var top = frames.Pop();
                            frames.Push((top.Path, top.IsArray, top.Index, reader.GetString()));
                            break;
                        case JsonTokenType.StartObject:
                        case JsonTokenType.StartArray:
                            frames.Push((frames.Count == 0 ? string.Empty : ChildPath(frames.Peek()), reader.TokenType == JsonTokenType.StartArray, 0, null));
                            break;
                        case JsonTokenType.EndObject:
                        case JsonTokenType.EndArray:
                            frames.Pop();
                            Advance(frames);
                            break;
                        default:
                            var path = frames.Count == 0 ? string.Empty : ChildPath(frames.Peek());
                            if (string.Equals(path, key, StringComparison.Ordinal))
                            {
                                var start = (int)reader.TokenStartIndex;
                                var end = (int)reader.BytesConsumed;
                                var kind = reader.TokenType == JsonTokenType.String ? SpotKind.JsonString
                                    : reader.TokenType == JsonTokenType.Number ? SpotKind.JsonNumber
                                    : reader.TokenType == JsonTokenType.Null ? SpotKind.JsonNull : SpotKind.JsonBoolean;
                                var value = reader.TokenType == JsonTokenType.String ? reader.GetString()! : Encoding.UTF8.GetString(bytes, start, end - start);
                                found.Add(new SettingSpot(key, Encoding.UTF8.GetCharCount(bytes, 0, start), Encoding.UTF8.GetCharCount(bytes, start, end - start), value, kind));
                            }

                            Advance(frames);
                            break;
                    }
                }
            }
            catch (JsonException ex)
            {
                throw ClientConfigException.Malformed(file.Path, (int)(ex.LineNumber ?? 0) + 1, "not valid JSON (" + ex.Message + ")");
            }

            return One(file, key, found);
        }

        private static string ChildPath((string Path, bool IsArray, int Index, string? Property) frame) =>
            frame.IsArray ? frame.Path + "[" + frame.Index.ToString(CultureInfo.InvariantCulture) + "]"
            : frame.Path.Length == 0 ? frame.Property ?? string.Empty : frame.Path + "." + frame.Property;

        private static void Advance(Stack<(string Path, bool IsArray, int Index, string? Property)> frames)
        {
            if (frames.Count > 0 && frames.Peek().IsArray)
            {
                var top = frames.Pop();
                frames.Push((top.Path, true, top.Index + 1, null));
            }
        }

        private static SettingSpot FindXml(ConfigText file, string key)
        {
            XDocument document;
            try
            {
                document = XDocument.Load(XmlReader.Create(new System.IO.StringReader(file.Text), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null }),
                    LoadOptions.PreserveWhitespace | LoadOptions.SetLineInfo);
            }
            catch (XmlException ex)
            {
                throw ClientConfigException.Malformed(file.Path, ex.LineNumber, "not valid XML (" + ex.Message + ")");
            }

            IEnumerable<object> selected;
            try
            {
                selected = ((System.Collections.IEnumerable)document.XPathEvaluate(key)).Cast<object>().ToArray();
            }
            catch (XPathException ex)
            {
                throw new ClientConfigException("MapInvalid", file.Path, $"'{key}' is not an XPath expression MailTls can use: {ex.Message}");
            }
            catch (InvalidCastException)
            {
                throw new ClientConfigException("MapInvalid", file.Path, $"'{key}' does not select nodes (it computes a value). Give an XPath that selects one attribute or element.");
            }

            var spots = new List<SettingSpot>();
            var lines = LineStarts(file.Text);
            foreach (var node in selected)
            {
                var info = (IXmlLineInfo)node;
                if (!info.HasLineInfo() || info.LineNumber > lines.Length)
                {
                    throw ClientConfigException.Malformed(file.Path, info.LineNumber, "MailTls could not find the selected setting's place in the text");
                }

                switch (node)
                {
                    case XAttribute attribute:
                        spots.Add(AttributeSpot(file, lines, key, attribute));
                        break;
                    case XElement element when !element.HasElements:
                        spots.Add(ElementSpot(file, lines, key, element));
                        break;
                    default:
                        throw new ClientConfigException("MapInvalid", file.Path, $"'{key}' selects something that is neither an attribute nor an element with only text.");
                }
            }

            return One(file, key, spots);
        }

        private static SettingSpot AttributeSpot(ConfigText file, int[] lines, string key, XAttribute attribute)
        {
            var info = (IXmlLineInfo)attribute;
            var text = file.Text;
            var at = lines[info.LineNumber - 1] + info.LinePosition - 1;
            at = text.IndexOf('=', at);
            while (at < text.Length && text[at] != '"' && text[at] != '\'')
            {
                at++;
            }

            var quote = text[at];
            var end = text.IndexOf(quote, at + 1);
            return new SettingSpot(key, at + 1, end - at - 1, attribute.Value, SpotKind.XmlText);
        }

        private static SettingSpot ElementSpot(ConfigText file, int[] lines, string key, XElement element)
        {
            var info = (IXmlLineInfo)element;
            var text = file.Text;
            var at = lines[info.LineNumber - 1] + info.LinePosition - 1;

            // The end of the start tag: the first '>' outside a quoted attribute value.
            char? quote = null;
            for (; at < text.Length; at++)
            {
                var c = text[at];
                if (quote != null)
                {
                    quote = c == quote ? null : quote;
                }
                else if (c == '"' || c == '\'')
                {
                    quote = c;
                }
                else if (c == '>')
                {
                    break;
                }
            }

            if (text[at - 1] == '/')
            {
                throw new ClientConfigException("MapKeyMissing", file.Path, $"'{key}' selects an empty element (<{element.Name.LocalName}/>); MailTls changes values that are there. Give it a value first.");
            }

            var start = at + 1;
            var end = text.IndexOf('<', start);
            if (string.CompareOrdinal(text, end, "<![CDATA[", 0, 9) == 0 || string.CompareOrdinal(text, end, "<!--", 0, 4) == 0)
            {
                throw new ClientConfigException("MapKeyMissing", file.Path, $"'{key}' holds CDATA or a comment; MailTls changes plain text values only.");
            }

            return new SettingSpot(key, start, end - start, element.Value, SpotKind.XmlText);
        }

        /// <summary>Where each line starts, counting line breaks as XmlReader does (\r\n, \r and \n each end a line).</summary>
        private static int[] LineStarts(string text)
        {
            var starts = new List<int> { 0 };
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                    starts.Add(i + 1);
                }
                else if (text[i] == '\r' || text[i] == '\n')
                {
                    starts.Add(i + 1);
                }
            }

            return starts.ToArray();
        }

        private static SettingSpot FindIni(ConfigText file, string key)
        {
            var slash = key.LastIndexOf('/');
            var sectionName = slash < 0 ? string.Empty : key.Substring(0, slash);
            var name = slash < 0 ? key : key.Substring(slash + 1);
            var document = IniDocument.Parse(file);
            // Windows INI files and configparser match section and key names without regard to case.
            var entries = document.Sections.Where(s => string.Equals(s.Name, sectionName, StringComparison.OrdinalIgnoreCase)).SelectMany(s => s.Entries)
                .Where(e => string.Equals(e.Key, name, StringComparison.OrdinalIgnoreCase))
                .Select(e => new SettingSpot(key, e.ValueStart, e.ValueLength, e.Value, SpotKind.Word)).ToList();
            return One(file, key, entries);
        }

        private static SettingSpot One(ConfigText file, string key, List<SettingSpot> found) => found.Count switch
        {
            0 => throw new ClientConfigException("MapKeyMissing", file.Path, $"'{file.Path}' has no setting at '{key}'. Check the key in -Map (MailTls changes settings that are there; it does not add them; in XML with a default namespace, select with local-name(), e.g. //*[local-name()='Port'])."),
            1 => found[0],
            _ => throw new ClientConfigException("MapKeyAmbiguous", file.Path, $"'{key}' matches {found.Count} settings in '{file.Path}'. Make the key select exactly one."),
        };
    }
}
