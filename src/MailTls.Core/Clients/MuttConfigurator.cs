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
    /// Mutt and NeoMutt (muttrc): servers are URLs in <c>folder</c>, <c>spoolfile</c> (<c>spool_file</c>),
    /// <c>pop_host</c> and <c>smtp_url</c>. <c>imaps://</c>, <c>pops://</c>, <c>smtps://</c> are implicit TLS; the
    /// plain schemes do STARTTLS, which <c>ssl_force_tls</c> (yes by default in Mutt 2 and NeoMutt) makes mandatory;
    /// with it off, <c>ssl_starttls</c> (yes) leaves it opportunistic, and with both off the session is plaintext
    /// (muttrc(5), checked with <c>mutt -Q</c> on Debian 12). Mutt never writes its muttrc, so it need not be closed.
    /// </summary>
    internal sealed class MuttConfigurator : ClientConfigurator
    {
        /// <summary>The variables whose URL is an account's server (the first one names the account).</summary>
        private static readonly string[] UrlVariables = { "folder", "spoolfile", "spool_file", "pop_host", "smtp_url" };

        /// <summary>Other places that name a server by URL; they follow the account's switch (else Mutt keeps using the old one).</summary>
        private static readonly string[] FollowerVariables = { "record", "postponed", "trash", "mailboxes" };

        public override MailClient Client => MailClient.Mutt;

        public override IEnumerable<ConfigLocation> Locate(UserHome home)
        {
            // Each program reads the first file of its own list.
            var mutt = new[] { home.Combine(".muttrc"), home.Combine(".mutt", "muttrc"), Path.Combine(home.ConfigHome, "mutt", "muttrc") };
            var neomutt = new[]
            {
                Path.Combine(home.ConfigHome, "neomutt", "neomuttrc"), Path.Combine(home.ConfigHome, "neomutt", "muttrc"),
                Path.Combine(home.ConfigHome, "mutt", "neomuttrc"), Path.Combine(home.ConfigHome, "mutt", "muttrc"),
                home.Combine(".neomutt", "neomuttrc"), home.Combine(".neomutt", "muttrc"), home.Combine(".mutt", "neomuttrc"),
                home.Combine(".mutt", "muttrc"), home.Combine(".neomuttrc"), home.Combine(".muttrc"),
            };
            return new[] { mutt.FirstOrDefault(File.Exists), neomutt.FirstOrDefault(File.Exists) }
                .Where(p => p != null).Distinct(StringComparer.Ordinal).Select(p => new ConfigLocation(p!));
        }

        public override ConfigLocation? Recognize(string path)
        {
            var name = Path.GetFileName(path);
            return (name == ".muttrc" || name == "muttrc" || name == ".neomuttrc" || name == "neomuttrc") && File.Exists(path) ? new ConfigLocation(Path.GetFullPath(path)) : null;
        }

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location)
        {
            var file = ConfigText.Read(location.Path);
            var assignments = Parse(file);
            var force = Bool(assignments, "ssl_force_tls", true);
            var starttls = Bool(assignments, "ssl_starttls", true);
            var from = Last(assignments, "from")?.Value;
            var records = new List<AccountRecord>();
            foreach (var (url, assignment) in Servers(assignments))
            {
                // One account per server: the first variable that names it (folder and spoolfile often name the same one).
                if (records.Any(r => r.Protocol == url.Protocol && string.Equals(r.HostName, url.Host, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                var security = url.Secure ? MailSecurity.Implicit : force ? MailSecurity.StartTls : MailSecurity.None;
                records.Add(new AccountRecord
                {
                    Account = url.User != null ? url.User + "@" + url.Host : url.Host,
                    EmailAddress = url.User != null && url.User.Contains("@") ? url.User : string.IsNullOrEmpty(from) ? null : from,
                    Role = url.Protocol == MailProtocol.Smtp ? MailRole.Outgoing : MailRole.Incoming,
                    Protocol = url.Protocol,
                    HostName = url.Host,
                    Port = url.Port ?? Endpoints.WellKnownPorts.DefaultPort(url.Protocol, url.Secure ? MailSecurity.Implicit : MailSecurity.StartTls),
                    Security = security,
                    Opportunistic = !url.Secure && !force && starttls,
                    CertificateCheckOff = !Bool(assignments, "ssl_verify_host", true) || !Bool(assignments, "ssl_verify_dates", true),
                    ConfigPath = location.Path,
                    Key = assignment.Name,
                });
            }

            return records;
        }

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            var file = ConfigText.Read(location.Path);
            var assignments = Parse(file);

            var edits = new List<SettingEdit>();
            foreach (var (url, assignment) in Occurrences(assignments).Where(o => o.Url.Protocol == current.Protocol && string.Equals(o.Url.Host, current.HostName, StringComparison.OrdinalIgnoreCase)))
            {
                var rewritten = url.With(target.Security == MailSecurity.Implicit, target.Port, target.HostName);
                edits.Add(new SettingEdit(file.Path, assignment.Name, assignment.Value, rewritten,
                    new TextEdit(assignment.ValueStart, assignment.ValueLength, rewritten)));
            }

            // ssl_force_tls and ssl_starttls are global: STARTTLS needs them on (the default), plaintext needs them off.
            if (target.Security != MailSecurity.Implicit)
            {
                var on = target.Security == MailSecurity.StartTls;
                foreach (var variable in new[] { "ssl_force_tls", "ssl_starttls" })
                {
                    if (Bool(assignments, variable, true) == on)
                    {
                        continue;
                    }

                    var value = on ? "yes" : "no";
                    var last = Last(assignments, variable);
                    edits.Add(last != null && !last.FromUnset
                        ? new SettingEdit(file.Path, variable, last.Value, value, new TextEdit(last.Start, last.End - last.Start, variable + "=" + value))
                        : new SettingEdit(file.Path, variable, null, value,
                            new TextEdit(file.Text.Length, 0, (file.Text.Length == 0 || file.Text.EndsWith("\n", StringComparison.Ordinal) ? string.Empty : file.Newline) + "set " + variable + "=" + value + file.Newline)));
                }
            }

            return edits;
        }

        public override IEnumerable<string> Caveats(ConfigLocation location, AccountRecord account, AccountTarget target)
        {
            // account-hook patterns are regular expressions over the URL: MailTls does not rewrite them.
            var hooks = Parse(ConfigText.Read(location.Path)).Where(a => a.Name == "account-hook" && a.Value?.IndexOf(account.HostName, StringComparison.OrdinalIgnoreCase) >= 0);
            foreach (var hook in hooks)
            {
                yield return $"'{location.Path}' has an account-hook for '{hook.Value}': check that its pattern still matches the new URL (imaps://, pops://, smtps:// and the port), or its settings (the password) are no longer used.";
            }
        }

        private static IEnumerable<(MailUrl Url, Assignment Assignment)> Servers(List<Assignment> assignments) => Urls(assignments, UrlVariables);

        /// <summary>Every URL that names a server: the account variables and those that follow them (each mailboxes entry).</summary>
        private static IEnumerable<(MailUrl Url, Assignment Assignment)> Occurrences(List<Assignment> assignments) =>
            Urls(assignments, UrlVariables.Where(v => v != "mailboxes").Concat(FollowerVariables.Where(v => v != "mailboxes")))
                .Concat(assignments.Where(a => a.Name == "mailboxes" && a.Value != null).Select(a => (Url: MailUrl.TryParse(a.Value!, out var url) ? url : null, Assignment: a))
                    .Where(o => o.Url != null).Select(o => (o.Url!, o.Assignment)));

        /// <summary>The URL of each variable, from its last assignment (the one in force).</summary>
        private static IEnumerable<(MailUrl Url, Assignment Assignment)> Urls(List<Assignment> assignments, IEnumerable<string> names)
        {
            foreach (var name in names)
            {
                var assignment = Last(assignments, name);
                if (assignment?.Value != null && MailUrl.TryParse(assignment.Value, out var url))
                {
                    yield return (url!, assignment);
                }
            }
        }

        private static Assignment? Last(List<Assignment> assignments, string name) => assignments.LastOrDefault(a => a.Name == name);

        private static bool Bool(List<Assignment> assignments, string name, bool fallback)
        {
            var last = Last(assignments, name);
            if (last == null)
            {
                return fallback;
            }

            var value = last.Value?.ToLowerInvariant();
            return value == null ? last.Set : value == "yes" || value == "ask-yes";
        }

        /// <summary>The <c>set</c>/<c>unset</c> assignments, with positions; # comments, quotes, ; and \ continuations understood.</summary>
        private static List<Assignment> Parse(ConfigText file)
        {
            var text = file.Text;
            var assignments = new List<Assignment>();
            var words = new List<Token>();
            for (var at = 0; at <= text.Length; at++)
            {
                var c = at < text.Length ? text[at] : '\n';
                if (c == '\\' && at + 1 < text.Length && (text[at + 1] == '\n' || text[at + 1] == '\r'))
                {
                    at = text.IndexOf('\n', at + 1);
                    continue;
                }

                if (c == '\n' || c == ';')
                {
                    Command(words, assignments);
                    words.Clear();
                    continue;
                }

                if (c == '#')
                {
                    while (at + 1 < text.Length && text[at + 1] != '\n')
                    {
                        at++;
                    }

                    continue;
                }

                if (c == ' ' || c == '\t' || c == '\r')
                {
                    continue;
                }

                if (c == '=')
                {
                    words.Add(new Token("=", at, at + 1, '\0'));
                    continue;
                }

                var start = at;
                var quote = '\0';
                var value = new StringBuilder();
                if (c == '"' || c == '\'' || c == '`')
                {
                    quote = c;
                    at++;
                    while (at < text.Length && text[at] != quote && text[at] != '\n')
                    {
                        if (text[at] == '\\' && quote == '"' && at + 1 < text.Length)
                        {
                            at++;
                        }

                        value.Append(text[at++]);
                    }

                    if (at >= text.Length || text[at] != quote)
                    {
                        throw ClientConfigException.Malformed(file.Path, ConfigText.LineOf(text, start), "a quoted value is not closed on its line");
                    }

                    words.Add(new Token(value.ToString(), start, at + 1, quote));
                    continue;
                }

                while (at < text.Length && !" \t\r\n;#=\"'".Contains(text[at]))
                {
                    if (text[at] == '\\' && at + 1 < text.Length)
                    {
                        at++;
                    }

                    value.Append(text[at++]);
                }

                words.Add(new Token(value.ToString(), start, at, '\0'));
                at--;
            }

            return assignments;
        }

        private static void Command(List<Token> words, List<Assignment> assignments)
        {
            if (words.Count >= 2 && (words[0].Text == "mailboxes" || words[0].Text == "named-mailboxes" || words[0].Text == "account-hook"))
            {
                // Each mailbox may be a URL; an account-hook's first word is its pattern (kept to warn about it).
                foreach (var word in words[0].Text == "account-hook" ? words.Skip(1).Take(1) : words.Skip(1))
                {
                    assignments.Add(new Assignment(words[0].Text == "account-hook" ? "account-hook" : "mailboxes", word.Text, true, word.Start, word.End,
                        word.Quoted ? word.Start + 1 : word.Start, word.Quoted ? word.End - word.Start - 2 : word.End - word.Start));
                }

                return;
            }

            if (words.Count < 2 || (words[0].Text != "set" && words[0].Text != "unset" && words[0].Text != "reset"))
            {
                return;
            }

            var unset = words[0].Text != "set";
            for (var i = 1; i < words.Count; i++)
            {
                var name = words[i];
                if (name.Quoted || name.Text == "=")
                {
                    continue;
                }

                if (!unset && i + 2 < words.Count && words[i + 1].Text == "=" && !words[i + 1].Quoted)
                {
                    var value = words[i + 2];
                    assignments.Add(new Assignment(name.Text, value.Text, true, name.Start, value.End, value.Quoted ? value.Start + 1 : value.Start,
                        value.Quoted ? value.End - value.Start - 2 : value.End - value.Start));
                    i += 2;
                    continue;
                }

                // A boolean: set var, set novar, set invvar, unset var.
                var bare = name.Text;
                var set = !unset;
                if (bare.StartsWith("no", StringComparison.Ordinal) && set)
                {
                    bare = bare.Substring(2);
                    set = false;
                }

                assignments.Add(new Assignment(bare, null, set, name.Start, name.End, name.Start, name.End - name.Start) { FromUnset = unset });
            }
        }

        private sealed class Assignment
        {
            public Assignment(string name, string? value, bool set, int start, int end, int valueStart, int valueLength)
            {
                Name = name;
                Value = value ?? (set ? null : "no");
                Set = set;
                Start = start;
                End = end;
                ValueStart = valueStart;
                ValueLength = valueLength;
            }

            public string Name { get; }

            /// <summary>The value; null for a bare <c>set var</c> (yes), "no" for <c>unset</c>/<c>set novar</c>.</summary>
            public string? Value { get; }

            public bool Set { get; }

            public int Start { get; }

            public int End { get; }

            public int ValueStart { get; }

            public int ValueLength { get; }

            /// <summary>An <c>unset</c>/<c>reset</c> command, which cannot be turned into an assignment in place.</summary>
            public bool FromUnset { get; set; }
        }

        /// <summary><c>imap[s]://[user[:pass]@]host[:port][/path]</c> (and pop, smtp), taken apart so one part can change.</summary>
        private sealed class MailUrl
        {
            private string _prefix = string.Empty;
            private string _suffix = string.Empty;
            private string _scheme = string.Empty;

            public MailProtocol Protocol { get; private set; }

            public bool Secure { get; private set; }

            public string? User { get; private set; }

            public string Host { get; private set; } = string.Empty;

            public int? Port { get; private set; }

            public static bool TryParse(string text, out MailUrl? url)
            {
                url = null;
                var colon = text.IndexOf("://", StringComparison.Ordinal);
                if (colon <= 0)
                {
                    return false;
                }

                var scheme = text.Substring(0, colon).ToLowerInvariant();
                var (protocol, secure) = scheme switch
                {
                    "imap" => (MailProtocol.Imap, false),
                    "imaps" => (MailProtocol.Imap, true),
                    "pop" => (MailProtocol.Pop3, false),
                    "pops" => (MailProtocol.Pop3, true),
                    "smtp" => (MailProtocol.Smtp, false),
                    "smtps" => (MailProtocol.Smtp, true),
                    _ => ((MailProtocol?)null, false),
                };
                if (protocol == null)
                {
                    return false;
                }

                var rest = text.Substring(colon + 3);
                var slash = rest.IndexOf('/');
                var authority = slash < 0 ? rest : rest.Substring(0, slash);
                var at = authority.LastIndexOf('@');
                var hostPort = at < 0 ? authority : authority.Substring(at + 1);
                int? port = null;
                var host = hostPort;
                var portColon = hostPort.LastIndexOf(':');
                if (portColon > 0 && !hostPort.EndsWith("]", StringComparison.Ordinal))
                {
                    if (!int.TryParse(hostPort.Substring(portColon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p))
                    {
                        return false;
                    }

                    port = p;
                    host = hostPort.Substring(0, portColon);
                }

                if (host.Length == 0)
                {
                    return false;
                }

                var userInfo = at < 0 ? null : authority.Substring(0, at);
                url = new MailUrl
                {
                    Protocol = protocol.Value,
                    Secure = secure,
                    User = userInfo == null ? null : Uri.UnescapeDataString(userInfo.Split(':')[0]),
                    Host = host,
                    Port = port,
                    _scheme = scheme.TrimEnd('s'),
                    _prefix = at < 0 ? string.Empty : authority.Substring(0, at + 1),
                    _suffix = slash < 0 ? string.Empty : rest.Substring(slash),
                };
                return true;
            }

            public string With(bool secure, int port, string? host) =>
                _scheme + (secure ? "s" : string.Empty) + "://" + _prefix + (host ?? Host) + ":" + port.ToString(CultureInfo.InvariantCulture) + _suffix;
        }
    }
}
