using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MailTls.Clients.Formats;

namespace MailTls.Clients
{
    /// <summary>
    /// The Mozilla mail family: Thunderbird, SeaMonkey and Netscape 6/7 keep accounts in a profile's prefs.js, with
    /// user.js (read at start-up, so it wins) able to set the same prefs. Incoming servers are
    /// <c>mail.server.serverN.*</c> (socketType 0 plain, 2 STARTTLS, 3 SSL; older profiles the boolean isSecure),
    /// outgoing <c>mail.smtpserver.smtpN.*</c> (try_ssl with the same numbers). Sources: Thunderbird's
    /// MailNewsTypes2.idl (nsMsgSocketType), nsMsgIncomingServer.cpp (GetPort, GetSocketType), SmtpServer.sys.mjs and
    /// SmtpClient.sys.mjs (an unset SMTP port is 465 for SSL, else 587) in comm-central.
    /// </summary>
    internal class MozillaConfigurator : ClientConfigurator
    {
        private const int Plain = 0;
        private const int TryStartTls = 1;
        private const int StartTls = 2;
        private const int Ssl = 3;

        private readonly Func<UserHome, IEnumerable<string>> _roots;

        public MozillaConfigurator(MailClient client, Func<UserHome, IEnumerable<string>> roots)
        {
            Client = client;
            _roots = roots;
        }

        public override MailClient Client { get; }

        /// <summary>Whether incoming servers take STARTTLS (Netscape 6/7 have only "use secure connection (SSL)").</summary>
        protected virtual bool IncomingStartTls => true;

        public override IEnumerable<ConfigLocation> Locate(UserHome home) =>
            _roots(home).SelectMany(MozillaProfiles.Find).Select(ProfileLocation);

        public override ConfigLocation? Recognize(string path)
        {
            var full = Path.GetFullPath(path);
            var profile = Directory.Exists(full) ? full : Path.GetFileName(full) == "prefs.js" || Path.GetFileName(full) == "user.js" ? Path.GetDirectoryName(full)! : null;
            if (profile == null || !File.Exists(Path.Combine(profile, "prefs.js")))
            {
                return null;
            }

            // A profile SeaMonkey last ran is SeaMonkey's, and the other way round (compatibility.ini names the application).
            var application = MozillaProfiles.Application(profile)?.ToLowerInvariant();
            var seaMonkey = application?.Contains("seamonkey") == true;
            if (application != null && (Client == MailClient.SeaMonkey) != seaMonkey && Client != MailClient.Netscape)
            {
                return null;
            }

            return ProfileLocation(profile);
        }

        public override IEnumerable<string> Companions(ConfigLocation location) => new[] { location.Path, UserJs(location) };

        public override string? RunningReason(ConfigLocation location)
        {
            if (MozillaProfiles.IsInUse(location.Profile!))
            {
                return $"{Client} has the profile '{location.Profile}' open (it holds the profile's lock).";
            }

            // On macOS the lock is an fcntl lock on .parentlock, which .NET cannot query: a running client is enough.
            return System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.OSX)
                && RunningProcess.Find("thunderbird", "seamonkey", "netscape") is string name
                ? $"{name} is running (on macOS MailTls cannot tell which profile it has open)." : null;
        }

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location)
        {
            var prefs = Prefs(location);
            var records = new List<AccountRecord>();
            var identities = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var account in prefs.List("mail.accountmanager.accounts"))
            {
                var server = prefs.String($"mail.account.{account}.server");
                var ids = prefs.List($"mail.account.{account}.identities");
                var email = ids.Select(id => prefs.String($"mail.identity.{id}.useremail")).FirstOrDefault(e => !string.IsNullOrEmpty(e));
                foreach (var id in ids)
                {
                    var smtp = prefs.String($"mail.identity.{id}.smtpServer") ?? prefs.String("mail.smtp.defaultserver");
                    var address = prefs.String($"mail.identity.{id}.useremail");
                    if (smtp != null && !string.IsNullOrEmpty(address) && !identities.ContainsKey(smtp))
                    {
                        identities[smtp] = address!;
                    }
                }

                if (server == null)
                {
                    continue;
                }

                var key = $"mail.server.{server}";
                var type = prefs.String(key + ".type");
                var protocol = type == "imap" ? MailProtocol.Imap : type == "pop3" ? MailProtocol.Pop3 : (MailProtocol?)null;
                // Thunderbird connects to realhostname when the server was renamed; hostname then only names its folders.
                var host = prefs.String(key + ".realhostname") ?? prefs.String(key + ".hostname");
                if (protocol == null || string.IsNullOrEmpty(host))
                {
                    continue;
                }

                var (security, opportunistic) = Mode(prefs.Int(key + ".socketType") ?? (prefs.Bool(key + ".isSecure") == true ? Ssl : Plain));
                var port = prefs.Int(key + ".port") is int p && p > 0 ? p : Endpoints.WellKnownPorts.DefaultPort(protocol.Value, security);
                records.Add(new AccountRecord
                {
                    Account = prefs.String(key + ".name") ?? email ?? host!,
                    EmailAddress = email,
                    Role = MailRole.Incoming,
                    Protocol = protocol.Value,
                    HostName = host!,
                    Port = port,
                    Security = security,
                    Opportunistic = opportunistic,
                    ConfigPath = location.Path,
                    Key = server,
                    // Thunderbird checks every check_time minutes (default 10) unless check_new_mail is false.
                    CheckIntervalMinutes = prefs.Bool(key + ".check_new_mail") == false ? null : prefs.Int(key + ".check_time") ?? 10,
                    TlsUnsupported = IncomingLimit(location, protocol.Value),
                });
            }

            foreach (var smtp in prefs.List("mail.smtpservers"))
            {
                var key = $"mail.smtpserver.{smtp}";
                var host = prefs.String(key + ".hostname");

                // Since 128 an entry may be an Exchange (EWS) server kept under mail.outgoingserver.*: SMTP entries only.
                var type = prefs.String(key + ".type");
                if (string.IsNullOrEmpty(host) || (type != null && type != "smtp"))
                {
                    continue;
                }

                var (security, opportunistic) = Mode(prefs.Int(key + ".try_ssl") ?? Plain);
                identities.TryGetValue(smtp, out var email);
                records.Add(new AccountRecord
                {
                    Account = prefs.String(key + ".description") is string d && d.Length > 0 ? d : email ?? host!,
                    EmailAddress = email,
                    Role = MailRole.Outgoing,
                    Protocol = MailProtocol.Smtp,
                    HostName = host!,
                    // Port 0 or none: Thunderbird connects to 465 for SSL and 587 otherwise.
                    Port = prefs.Int(key + ".port") is int p && p > 0 ? p : security == MailSecurity.Implicit ? 465 : 587,
                    Security = security,
                    Opportunistic = opportunistic,
                    ConfigPath = location.Path,
                    Key = smtp,
                });
            }

            return records;
        }

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            var prefs = PrefsFile.Parse(ConfigText.Read(location.Path));
            var user = PrefsFile.Parse(ConfigText.Read(UserJs(location)));
            var incoming = current.Role == MailRole.Incoming;
            if (incoming && !IncomingStartTls && target.Security == MailSecurity.StartTls)
            {
                throw new ClientConfigException("SslNotSupported", location.Path,
                    $"{Client} 6/7 offers only \"use secure connection (SSL)\" for incoming mail, not STARTTLS. Use -Security Implicit (port {Endpoints.WellKnownPorts.DefaultPort(current.Protocol, MailSecurity.Implicit)}).");
            }

            var prefix = incoming ? $"mail.server.{current.Key}." : $"mail.smtpserver.{current.Key}.";
            var settings = new List<(string Name, object Value)>();
            settings.Add((prefix + (incoming ? "socketType" : "try_ssl"), SocketType(target.Security)));
            if (incoming && (!IncomingStartTls || user.Find(prefix + "isSecure") != null || prefs.Find(prefix + "isSecure") != null))
            {
                // Mozilla 1.x (Netscape 6/7) chose SSL by the older isSecure flag: keep it in step where it is used.
                settings.Add((prefix + "isSecure", target.Security == MailSecurity.Implicit));
            }

            settings.Add((prefix + "port", target.Port));
            if (target.HostName != null)
            {
                // As Thunderbird's own server settings do: an incoming server's hostname stays (its folders are named
                // after it) and realhostname takes the new name.
                settings.Add((prefix + (incoming ? "realhostname" : "hostname"), target.HostName));
            }

            var edits = new List<SettingEdit>();
            foreach (var (name, value) in settings)
            {
                // prefs.js holds the setting; user.js is read at start-up and wins, so where it sets the same pref it changes too.
                var inUser = user.Override(name, value);
                var inPrefs = prefs.Set(name, value);
                if (inPrefs != null)
                {
                    edits.Add(inPrefs);
                }

                if (inUser != null)
                {
                    edits.Add(inUser);
                }
            }

            return edits;
        }

        /// <summary>Why this version cannot secure an incoming protocol, or null.</summary>
        protected virtual string? IncomingLimit(ConfigLocation location, MailProtocol protocol) => null;

        /// <summary>The prefs as the client sees them at start-up: prefs.js, then user.js over it. For reading only.</summary>
        protected static PrefsFile Prefs(ConfigLocation location)
        {
            var merged = PrefsFile.Parse(ConfigText.Read(location.Path));
            var user = ConfigText.Read(UserJs(location));
            if (user.Exists)
            {
                merged.Overlay(PrefsFile.Parse(user));
            }

            return merged;
        }

        private ConfigLocation ProfileLocation(string profile) =>
            new ConfigLocation(Path.Combine(profile, "prefs.js"), profile, MozillaProfiles.Version(profile));

        private static string UserJs(ConfigLocation location) => Path.Combine(location.Profile!, "user.js");

        private static (MailSecurity, bool Opportunistic) Mode(int socketType) => socketType switch
        {
            Ssl => (MailSecurity.Implicit, false),
            StartTls => (MailSecurity.StartTls, false),
            TryStartTls => (MailSecurity.None, true),
            _ => (MailSecurity.None, false),
        };

        private static int SocketType(MailSecurity security) => security switch
        {
            MailSecurity.Implicit => Ssl,
            MailSecurity.StartTls => StartTls,
            _ => Plain,
        };
    }
}
