using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using MailTls.Clients.Formats;

namespace MailTls.Clients
{
    /// <summary>
    /// fetchmail (~/.fetchmailrc, or $FETCHMAILHOME/fetchmailrc): free-form tokens, one <c>poll</c>/<c>skip</c>
    /// entry per server — server options (<c>proto</c>, <c>service</c>/<c>port</c>), then <c>user …</c> and user
    /// options (<c>ssl</c>, <c>sslproto</c>, <c>sslcertck</c>), which must follow <c>user</c>. 6.4 semantics
    /// (fetchmail(1), checked against 6.4.37): <c>ssl</c> is implicit TLS; without it <c>sslproto "X"</c> forces
    /// STARTTLS and <c>sslproto ''</c> turns it off; with neither, the default <c>sslcertck</c> makes STARTTLS
    /// mandatory, and only <c>no sslcertck</c> leaves it opportunistic. <c>set daemon N</c> polls every N seconds.
    /// </summary>
    internal sealed class FetchmailConfigurator : ClientConfigurator
    {
        private const string StartTlsProto = "\"TLS1.2+\"";
        private static readonly HashSet<string> Noise = new HashSet<string>(StringComparer.Ordinal) { "and", "with", "has", "wants", "options", ",", ";", ":" };
        private static readonly HashSet<string> EntryStarts = new HashSet<string>(StringComparer.Ordinal) { "poll", "skip", "server", "defaults", "set" };

        public override MailClient Client => MailClient.Fetchmail;

        public override IEnumerable<ConfigLocation> Locate(UserHome home)
        {
            var fetchmailHome = Environment.GetEnvironmentVariable("FETCHMAILHOME");
            var candidates = new List<string> { home.Combine(".fetchmailrc") };
            if (!string.IsNullOrEmpty(fetchmailHome))
            {
                candidates.Insert(0, Path.Combine(fetchmailHome!, "fetchmailrc"));
            }

            return candidates.Where(File.Exists).Take(1).Select(p => new ConfigLocation(p));
        }

        public override ConfigLocation? Recognize(string path)
        {
            var name = Path.GetFileName(path);
            return (name == ".fetchmailrc" || name == "fetchmailrc") && File.Exists(path) ? new ConfigLocation(Path.GetFullPath(path)) : null;
        }

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location)
        {
            var file = ConfigText.Read(location.Path);
            var (entries, daemonSeconds) = Entries(file);
            return entries.Select(e => Record(location, e, daemonSeconds)).ToArray();
        }

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, string key, AccountTarget target)
        {
            var file = ConfigText.Read(location.Path);
            var entry = Entries(file).Entries.FirstOrDefault(e => e.Key == key)
                ?? throw new ClientConfigException("AccountNotFound", location.Path, $"There is no 'poll {key}' entry in '{location.Path}'.");
            var current = Record(location, entry, null);

            var edits = new List<SettingEdit>();
            var setting = $"poll {key}: ";
            var end = entry.Tokens.Last();
            var ssl = entry.Tokens.FirstOrDefault(t => t.Text == "ssl" && !Negated(entry, t));
            var proto = Option(entry, "sslproto");
            var sslproto = target.Security == MailSecurity.StartTls ? StartTlsProto : target.Security == MailSecurity.None ? "''" : null;
            if (target.Security == MailSecurity.Implicit && ssl == null)
            {
                edits.Add(new SettingEdit(file.Path, setting + "ssl", null, "ssl", new TextEdit(end.End, 0, " ssl")));
            }
            else if (target.Security != MailSecurity.Implicit && ssl != null)
            {
                edits.Add(new SettingEdit(file.Path, setting + "ssl", "ssl", null, Remove(file.Text, ssl)));
            }

            if (proto != null && (sslproto == null ? Unquote(proto.Text).Length == 0 : proto.Text != sslproto))
            {
                // With ssl an empty sslproto is an error fetchmail only logs; say what is meant.
                var value = sslproto ?? StartTlsProto;
                edits.Add(new SettingEdit(file.Path, setting + "sslproto", proto.Text, value, new TextEdit(proto.Start, proto.End - proto.Start, value)));
            }
            else if (proto == null && sslproto != null)
            {
                edits.Add(new SettingEdit(file.Path, setting + "sslproto", null, sslproto, new TextEdit(end.End, 0, " sslproto " + sslproto)));
            }

            var port = target.Port.ToString(CultureInfo.InvariantCulture);
            var portToken = Option(entry, "service", "port");
            if (portToken != null)
            {
                if (portToken.Text != port)
                {
                    edits.Add(new SettingEdit(file.Path, setting + "service", portToken.Text, port, new TextEdit(portToken.Start, portToken.End - portToken.Start, port)));
                }
            }
            else
            {
                // A server option: right after the protocol (or the server name), before any user part.
                var after = Option(entry, "proto", "protocol") ?? entry.Name;
                edits.Add(new SettingEdit(file.Path, setting + "service", null, port, new TextEdit(after.End, 0, " service " + port)));
            }

            if (target.HostName != null && !string.Equals(current.HostName, target.HostName, StringComparison.OrdinalIgnoreCase))
            {
                var via = Option(entry, "via");
                var host = via ?? entry.Name;
                edits.Add(new SettingEdit(file.Path, setting + (via != null ? "via" : "poll"), Unquote(host.Text), target.HostName,
                    new TextEdit(host.Start, host.End - host.Start, "\"" + target.HostName + "\"")));
            }

            return edits;
        }

        private static AccountRecord Record(ConfigLocation location, Entry entry, int? daemonSeconds)
        {
            var protoText = Value(entry, "proto", "protocol")?.ToUpperInvariant();
            var ssl = entry.Tokens.Any(t => t.Text == "ssl" && !Negated(entry, t));
            var sslproto = Value(entry, "sslproto");
            var certCheckOff = entry.Tokens.Any(t => t.Text == "sslcertck" && Negated(entry, t));
            var security = ssl ? MailSecurity.Implicit
                : sslproto != null ? (sslproto.Length == 0 ? MailSecurity.None : MailSecurity.StartTls)
                : certCheckOff ? MailSecurity.None : MailSecurity.StartTls;
            var portText = Value(entry, "service", "port");
            var hasPort = int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0;
            var protocol = protoText switch
            {
                "IMAP" or "IMAP-K4" or "IMAP-GSS" => MailProtocol.Imap,
                "POP3" or "APOP" or "RPOP" or "KPOP" or "SDPS" or "POP2" => MailProtocol.Pop3,
                _ => hasPort && (port == 993 || port == 143) ? MailProtocol.Imap : MailProtocol.Pop3,
            };
            var user = Value(entry, "user", "username");
            var interval = int.TryParse(Value(entry, "interval"), NumberStyles.None, CultureInfo.InvariantCulture, out var every) && every > 0 ? every : 1;
            return new AccountRecord
            {
                Account = user != null ? user + "@" + entry.Host : entry.Host,
                EmailAddress = user != null && user.Contains("@") ? user : null,
                Role = MailRole.Incoming,
                Protocol = protocol,
                HostName = Value(entry, "via") ?? entry.Host,
                Port = hasPort ? port : Endpoints.WellKnownPorts.DefaultPort(protocol, security == MailSecurity.Implicit ? MailSecurity.Implicit : MailSecurity.StartTls),
                Security = security,
                Opportunistic = !ssl && sslproto == null && certCheckOff,
                CertificateCheckOff = certCheckOff,
                ConfigPath = location.Path,
                Key = entry.Key,
                CheckIntervalMinutes = daemonSeconds is int seconds && entry.Kind == "poll" ? Math.Max(1, seconds * interval / 60) : null,
            };
        }

        private static string? Value(Entry entry, params string[] keywords) => Option(entry, keywords) is Token t ? Unquote(t.Text) : null;

        /// <summary>The token after the last of the keywords in the entry.</summary>
        private static Token? Option(Entry entry, params string[] keywords)
        {
            Token? found = null;
            for (var i = 0; i + 1 < entry.Tokens.Count; i++)
            {
                if (keywords.Contains(entry.Tokens[i].Text) && !entry.Tokens[i].Quoted)
                {
                    found = entry.Tokens[i + 1];
                }
            }

            return found;
        }

        private static bool Negated(Entry entry, Token token)
        {
            var index = entry.Tokens.IndexOf(token);
            return index > 0 && entry.Tokens[index - 1].Text == "no";
        }

        /// <summary>Removes a token with the blanks before it on its line (the whole line when it stands alone).</summary>
        private static TextEdit Remove(string text, Token token)
        {
            var start = token.Start;
            while (start > 0 && (text[start - 1] == ' ' || text[start - 1] == '\t'))
            {
                start--;
            }

            var end = token.End;
            if ((start == 0 || text[start - 1] == '\n') && end < text.Length && (text[end] == '\n' || text[end] == '\r'))
            {
                end = text.IndexOf('\n', end) + 1;
            }

            return new TextEdit(start, end - start, string.Empty);
        }

        private static string Unquote(string token) =>
            token.Length >= 2 && (token[0] == '"' || token[0] == '\'') && token[token.Length - 1] == token[0]
                ? token.Substring(1, token.Length - 2).Replace("\\\"", "\"").Replace("\\\\", "\\") : token;

        private static (List<Entry> Entries, int? DaemonSeconds) Entries(ConfigText file)
        {
            var tokens = Tokenize(file);
            var entries = new List<Entry>();
            int? daemon = null;
            Entry? current = null;
            for (var i = 0; i < tokens.Count; i++)
            {
                var token = tokens[i];
                if (!token.Quoted && EntryStarts.Contains(token.Text))
                {
                    current = null;
                    if (token.Text == "set")
                    {
                        if (i + 2 < tokens.Count && tokens[i + 1].Text == "daemon" && int.TryParse(tokens[i + 2].Text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                        {
                            daemon = seconds;
                        }

                        continue;
                    }

                    if (token.Text == "defaults" || i + 1 >= tokens.Count)
                    {
                        continue;
                    }

                    var name = tokens[++i];
                    var host = Unquote(name.Text);
                    var key = host;
                    for (var n = 2; entries.Any(e => e.Key == key); n++)
                    {
                        key = host + "#" + n.ToString(CultureInfo.InvariantCulture);
                    }

                    current = new Entry(token.Text == "server" ? "poll" : token.Text, host, key, name);
                    entries.Add(current);
                    continue;
                }

                if (current != null && !(Noise.Contains(token.Text) && !token.Quoted))
                {
                    current.Tokens.Add(token);
                }
            }

            return (entries, daemon);
        }

        private static List<Token> Tokenize(ConfigText file)
        {
            var text = file.Text;
            var tokens = new List<Token>();
            for (var at = 0; at < text.Length;)
            {
                var c = text[at];
                if (char.IsWhiteSpace(c))
                {
                    at++;
                }
                else if (c == '#')
                {
                    while (at < text.Length && text[at] != '\n')
                    {
                        at++;
                    }
                }
                else if (c == ',' || c == ';' || c == ':')
                {
                    tokens.Add(new Token(c.ToString(), at, at + 1, '\0'));
                    at++;
                }
                else if (c == '"' || c == '\'')
                {
                    var start = at++;
                    while (at < text.Length && text[at] != c)
                    {
                        at += text[at] == '\\' ? 2 : 1;
                    }

                    if (at >= text.Length)
                    {
                        throw ClientConfigException.Malformed(file.Path, ConfigText.LineOf(text, start), "a quoted string is not closed");
                    }

                    at++;
                    tokens.Add(new Token(text.Substring(start, at - start), start, at, c));
                }
                else
                {
                    var start = at;
                    var word = new StringBuilder();
                    while (at < text.Length && !char.IsWhiteSpace(text[at]) && text[at] != '#' && text[at] != ',' && text[at] != ';' && text[at] != ':' && text[at] != '"')
                    {
                        word.Append(text[at++]);
                    }

                    tokens.Add(new Token(word.ToString(), start, at, '\0'));
                }
            }

            return tokens;
        }

        private sealed class Entry
        {
            public Entry(string kind, string host, string key, Token name)
            {
                Kind = kind;
                Host = host;
                Key = key;
                Name = name;
                Tokens.Add(name);
            }

            public string Kind { get; }

            public string Host { get; }

            public string Key { get; }

            public Token Name { get; }

            public List<Token> Tokens { get; } = new List<Token>();
        }
    }
}
