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

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            var key = current.Key;
            var file = ConfigText.Read(location.Path);
            var entry = Entries(file).Entries.FirstOrDefault(e => e.Key == key)
                ?? throw new ClientConfigException("AccountNotFound", location.Path, $"There is no 'poll {key}' entry in '{location.Path}'.");
            if (entry.Tokens.Count(t => !t.Quoted && (t.Text == "user" || t.Text == "username")) > 1)
            {
                // ssl and sslproto belong to one user clause each, the port to the entry: a change would split them.
                throw new ClientConfigException("EntrySeveralUsers", location.Path,
                    $"The 'poll {key}' entry of '{location.Path}' has several users, and fetchmail takes ssl per user. Split it into one poll entry per user, then run the command again.");
            }

            var edits = new List<SettingEdit>();
            var setting = $"poll {key}: ";
            var end = entry.Tokens.Last();
            var ssl = entry.Tokens.FirstOrDefault(t => t.Text == "ssl" && !t.Quoted && !Negated(t));
            if (target.Security != MailSecurity.Implicit && ssl == null && Flag(entry.Defaults, "ssl"))
            {
                throw new ClientConfigException("SslFromDefaults", location.Path,
                    $"'ssl' is set in a 'defaults' entry of '{location.Path}' for every server after it, and MailTls does not override it for 'poll {key}' alone. Move 'ssl' into the poll entries that need it, then run the command again.");
            }

            if (target.Security == MailSecurity.Implicit && ssl == null)
            {
                edits.Add(new SettingEdit(file.Path, setting + "ssl", null, "ssl", new TextEdit(end.End, 0, " ssl")));
            }
            else if (target.Security != MailSecurity.Implicit && ssl != null)
            {
                edits.Add(new SettingEdit(file.Path, setting + "ssl", "ssl", null, Remove(file.Text, ssl)));
            }

            // sslproto: '' for plaintext; otherwise any version the user chose is kept, and only an empty one (which turns
            // STARTTLS off, and is an error beside ssl) becomes TLS1.2+.
            var proto = Option(entry, "sslproto");
            var effective = proto != null ? Unquote(proto.Text) : Value(entry.Defaults, "sslproto");
            var wanted = target.Security == MailSecurity.None ? "''"
                : effective == null ? (target.Security == MailSecurity.StartTls ? StartTlsProto : null)
                : effective.Length == 0 ? StartTlsProto : null;
            if (wanted != null && proto != null && proto.Text != wanted)
            {
                edits.Add(new SettingEdit(file.Path, setting + "sslproto", proto.Text, wanted, new TextEdit(proto.Start, proto.End - proto.Start, wanted)));
            }
            else if (wanted != null && proto == null)
            {
                edits.Add(new SettingEdit(file.Path, setting + "sslproto", null, wanted, new TextEdit(end.End, 0, " sslproto " + wanted)));
            }

            var port = target.Port.ToString(CultureInfo.InvariantCulture);
            var portToken = Option(entry, "service", "port");
            if (portToken != null)
            {
                if (Unquote(portToken.Text) != port)
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

            if (target.HostName != null)
            {
                // The poll name stays (it labels the entry and its UIDs); 'via' names the server to contact and check.
                var via = Option(entry, "via");
                var quoted = "\"" + target.HostName + "\"";
                edits.Add(via != null
                    ? new SettingEdit(file.Path, setting + "via", Unquote(via.Text), target.HostName, new TextEdit(via.Start, via.End - via.Start, quoted))
                    : new SettingEdit(file.Path, setting + "via", null, target.HostName, new TextEdit(entry.Name.End, 0, " via " + quoted)));
            }

            return edits;
        }

        private static AccountRecord Record(ConfigLocation location, Entry entry, int? daemonSeconds)
        {
            // An entry's own options win over those of the 'defaults' entry before it.
            var protoText = (Value(entry, "proto", "protocol") ?? Value(entry.Defaults, "proto", "protocol"))?.ToUpperInvariant();
            var ssl = Flag(entry, "ssl") || Flag(entry.Defaults, "ssl");
            var sslproto = Value(entry, "sslproto") ?? Value(entry.Defaults, "sslproto");
            var certCheckOff = entry.Tokens.Concat(entry.Defaults?.Tokens ?? new List<Token>()).Any(t => t.Text == "sslcertck" && Negated(t));
            var security = ssl ? MailSecurity.Implicit
                : sslproto != null ? (sslproto.Length == 0 ? MailSecurity.None : MailSecurity.StartTls)
                : certCheckOff ? MailSecurity.None : MailSecurity.StartTls;
            var portText = Value(entry, "service", "port") ?? Value(entry.Defaults, "service", "port");
            var hasPort = int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0;
            var protocol = protoText switch
            {
                "IMAP" or "IMAP-K4" or "IMAP-GSS" => MailProtocol.Imap,
                "POP3" or "APOP" or "RPOP" or "KPOP" or "SDPS" or "POP2" => MailProtocol.Pop3,
                _ => hasPort && (port == 993 || port == 143) ? MailProtocol.Imap : MailProtocol.Pop3,
            };
            var user = Value(entry, "user", "username");
            var interval = int.TryParse(Value(entry, "interval") ?? Value(entry.Defaults, "interval"), NumberStyles.None, CultureInfo.InvariantCulture, out var every) && every > 0 ? every : 1;
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

        private static string? Value(Entry? entry, params string[] keywords) => entry != null && Option(entry, keywords) is Token t ? Unquote(t.Text) : null;

        private static bool Flag(Entry? entry, string keyword) => entry != null && entry.Tokens.Any(t => t.Text == keyword && !t.Quoted && !Negated(t));

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

        private static bool Negated(Token token) => token.Previous?.Text == "no";

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
            Entry? defaults = null;
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

                    if (token.Text == "defaults")
                    {
                        defaults = current = new Entry("defaults", string.Empty, string.Empty, token, null);
                        continue;
                    }

                    if (i + 1 >= tokens.Count)
                    {
                        continue;
                    }

                    var name = tokens[++i];
                    var host = Unquote(name.Text);
                    var key = host;
                    for (var n = 2; entries.Exists(e => e.Key == key); n++)
                    {
                        key = host + "#" + n.ToString(CultureInfo.InvariantCulture);
                    }

                    current = new Entry(token.Text == "server" ? "poll" : token.Text, host, key, name, defaults);
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

            for (var i = 1; i < tokens.Count; i++)
            {
                tokens[i].Previous = tokens[i - 1];
            }

            return tokens;
        }

        private sealed class Entry
        {
            public Entry(string kind, string host, string key, Token name, Entry? defaults)
            {
                Kind = kind;
                Host = host;
                Key = key;
                Name = name;
                Defaults = defaults;
                Tokens.Add(name);
            }

            /// <summary>The 'defaults' entry before this one, whose options apply where this one has none.</summary>
            public Entry? Defaults { get; }

            public string Kind { get; }

            public string Host { get; }

            public string Key { get; }

            public Token Name { get; }

            public List<Token> Tokens { get; } = new List<Token>();
        }
    }
}
