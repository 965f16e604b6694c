using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MailTls.Clients.Formats;
using MailTls.Clients.Settings;

namespace MailTls.Clients
{
    /// <summary>
    /// Windows Live Mail keeps each account in an account{GUID}.oeaccount file (UTF-16 XML under
    /// %LOCALAPPDATA%\Microsoft\Windows Live Mail): <c>&lt;MessageAccount&gt;</c> with <c>POP3_Server</c> / <c>IMAP_Server</c>
    /// / <c>SMTP_Server</c>, <c>*_Port</c> and <c>*_Secure_Connection</c> as hexadecimal DWORDs, an element present only
    /// when it differs from the default (ports 110, 143, 25; no SSL). There is one "requires a secure connection" box
    /// per server and no STARTTLS setting: with it, Windows Live Mail speaks TLS at once on 993, 995 and 465 and, as
    /// users report (Microsoft documents nothing), STARTTLS on 143, 110, 587 and 25.
    /// Windows Mail (Vista) is Outlook Express's successor and the first to keep accounts in these files instead of the
    /// registry (Microsoft's "New Handling for Account Data"), under %LOCALAPPDATA%\Microsoft\Windows Mail. Nothing
    /// says it changed Outlook Express's transport, so it keeps that rule (see InternetAccountManagerConfigurator):
    /// the box means TLS at once for POP3 and IMAP on any port, and for SMTP STARTTLS on port 25 and TLS at once elsewhere.
    /// </summary>
    internal sealed class WindowsLiveMailConfigurator : ClientConfigurator
    {
        private const string Root = "/MessageAccount/";
        private readonly string _folder;
        private readonly string _product;
        private readonly string _process;
        private readonly bool _outlookExpressRule;

        public WindowsLiveMailConfigurator()
            : this(MailClient.WindowsLiveMail, "Windows Live Mail", "Windows Live Mail", "wlmail", outlookExpressRule: false)
        {
        }

        private WindowsLiveMailConfigurator(MailClient client, string product, string folder, string process, bool outlookExpressRule)
        {
            Client = client;
            _product = product;
            _folder = folder;
            _process = process;
            _outlookExpressRule = outlookExpressRule;
        }

        public override MailClient Client { get; }

        public static WindowsLiveMailConfigurator WindowsMail() => new WindowsLiveMailConfigurator(MailClient.WindowsMail, "Windows Mail", "Windows Mail", "WinMail", outlookExpressRule: true);

        public override IEnumerable<ConfigLocation> Locate(UserHome home)
        {
            var store = Path.Combine(Path.GetDirectoryName(home.AppData) ?? home.Path, "Local", "Microsoft", _folder);
            return Directory.Exists(store)
                ? Directory.GetFiles(store, "*.oeaccount", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.OrdinalIgnoreCase).Select(f => new ConfigLocation(f))
                : Array.Empty<ConfigLocation>();
        }

        /// <remarks>Both clients' files look alike: a file under a "Windows Mail" folder is Windows Mail's, any other Windows Live Mail's.</remarks>
        public override ConfigLocation? Recognize(string path) =>
            path.EndsWith(".oeaccount", StringComparison.OrdinalIgnoreCase) && File.Exists(path) && InWindowsMailStore(path) == (Client == MailClient.WindowsMail)
                ? new ConfigLocation(Path.GetFullPath(path))
                : null;

        public override string? RunningReason(ConfigLocation location) =>
            RunningProcess.Find(_process) != null ? $"{_product} is running; it writes its account files from memory." : null;

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location)
        {
            var text = ConfigText.Read(location.Path);
            var name = Find(text, "Account_Name")?.Value ?? Path.GetFileNameWithoutExtension(location.Path);
            var address = Find(text, "SMTP_Email_Address")?.Value;
            var records = new List<AccountRecord>();
            foreach (var (prefix, protocol, role) in new[] { ("IMAP", MailProtocol.Imap, MailRole.Incoming), ("POP3", MailProtocol.Pop3, MailRole.Incoming), ("SMTP", MailProtocol.Smtp, MailRole.Outgoing) })
            {
                var server = Find(text, prefix + "_Server")?.Value;
                if (string.IsNullOrEmpty(server) || records.Any(r => r.Role == role))
                {
                    continue;
                }

                var port = Dword(Find(text, prefix + "_Port")?.Value) ?? DefaultPort(protocol);
                var secure = Dword(Find(text, prefix + "_Secure_Connection")?.Value) == 1;
                records.Add(AccountRecord.ForRole(name, address, role, protocol, server!, port, !secure ? MailSecurity.None : SecureMode(protocol, port), location.Path));
            }

            return records;
        }

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            var text = ConfigText.Read(location.Path);
            if (target.Security != MailSecurity.None && SecureMode(current.Protocol, target.Port) != target.Security)
            {
                // The box is the only setting: the port (and the protocol) decide which mode it means.
                throw new ClientConfigException("SslNotSupported", location.Path, _outlookExpressRule
                    ? $"{_product} has only \"This server requires a secure connection (SSL)\": TLS at once for POP3 and IMAP on any port, and for SMTP STARTTLS on port 25 and TLS at once elsewhere. Use -Security Implicit{(current.Protocol == MailProtocol.Smtp ? ", or -Security StartTls -Port 25" : string.Empty)}."
                    : $"{_product} has no STARTTLS setting: it takes TLS at once on 993, 995 and 465 and STARTTLS on the other ports, so {target.Security} needs {Endpoints.WellKnownPorts.DefaultPort(current.Protocol, target.Security)}. Leave -Port out.");
            }

            var prefix = current.Protocol == MailProtocol.Imap ? "IMAP" : current.Protocol == MailProtocol.Pop3 ? "POP3" : "SMTP";
            var edits = new List<SettingEdit?>
            {
                SetDword(text, prefix + "_Secure_Connection", target.Security == MailSecurity.None ? 0 : 1, 0),
                SetDword(text, prefix + "_Port", target.Port, DefaultPort(current.Protocol)),
            };
            if (target.HostName != null)
            {
                var server = Find(text, prefix + "_Server")!;
                edits.Add(new SettingEdit(text.Path, prefix + "_Server", server.Value, target.HostName, new TextEdit(server.Start, server.Length, server.Literal(target.HostName))));
            }

            return edits.Where(e => e != null).Select(e => e!).ToArray();
        }

        /// <summary>The edit that gives a DWORD element a value: in place (as many hex digits as it had), or a new element.</summary>
        private static SettingEdit? SetDword(ConfigText text, string name, int value, int fallback)
        {
            var spot = Find(text, name);
            if ((Dword(spot?.Value) ?? fallback) == value)
            {
                return null;
            }

            if (spot != null)
            {
                var digits = spot.Value.Trim().Length >= 8 ? "x8" : "x";
                return new SettingEdit(text.Path, name, spot.Value, value.ToString(digits, CultureInfo.InvariantCulture),
                    new TextEdit(spot.Start, spot.Length, value.ToString(digits, CultureInfo.InvariantCulture)));
            }

            // A new element before </MessageAccount>, indented like the others.
            var end = text.Text.LastIndexOf("</MessageAccount>", StringComparison.Ordinal);
            if (end < 0)
            {
                throw ClientConfigException.Malformed(text.Path, ConfigText.LineOf(text.Text, text.Text.Length), "there is no </MessageAccount>");
            }

            var lineStart = text.Text.LastIndexOf('\n', Math.Max(0, end - 1)) + 1;
            var previous = text.Text.LastIndexOf('\n', Math.Max(0, lineStart - 2)) + 1;
            var indent = new string(text.Text.Skip(previous).TakeWhile(c => c == ' ' || c == '\t').ToArray());
            var element = $"{indent}<{name} type=\"DWORD\">{value.ToString("x8", CultureInfo.InvariantCulture)}</{name}>{text.Newline}";
            return new SettingEdit(text.Path, name, null, value.ToString("x8", CultureInfo.InvariantCulture), new TextEdit(lineStart, 0, element));
        }

        private static SettingSpot? Find(ConfigText text, string name)
        {
            try
            {
                return SettingsDocument.Find(text, SettingsFormat.Xml, Root + name);
            }
            catch (ClientConfigException ex) when (ex.ErrorId == "MapKeyMissing")
            {
                return null;
            }
        }

        /// <summary>What the ticked box means on a port.</summary>
        private MailSecurity SecureMode(MailProtocol protocol, int port) => _outlookExpressRule
            ? protocol == MailProtocol.Smtp && port == 25 ? MailSecurity.StartTls : MailSecurity.Implicit
            : port == 993 || port == 995 || port == 465 ? MailSecurity.Implicit : MailSecurity.StartTls;

        private static bool InWindowsMailStore(string path) =>
            Path.GetFullPath(path).Replace('\\', '/').IndexOf("/Microsoft/Windows Mail/", StringComparison.OrdinalIgnoreCase) >= 0;

        private static int? Dword(string? value) =>
            value != null && int.TryParse(value.Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var n) ? n : null;

        private static int DefaultPort(MailProtocol protocol) => Endpoints.WellKnownPorts.DefaultPort(protocol, MailSecurity.None);
    }
}
