using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using MailTls.Clients;
using MailTls.Clients.Registry;
using MailTls.Policy;
using Xunit;

namespace MailTls.Core.Tests.Clients
{
    /// <summary>
    /// Outlook Express and Outlook against an in-memory registry with each client's real key layout (several accounts,
    /// news and Exchange accounts beside them, missing values, values of the wrong type); the same cases run against the
    /// real registry in the Windows CI jobs (tests/Pester/ClientSsl.Registry.Tests.ps1).
    /// </summary>
    public sealed class RegistryClientTests : IDisposable
    {
        private const string Hkcu = "HKEY_CURRENT_USER";
        private const string OeAccounts = Hkcu + @"\Software\Microsoft\Internet Account Manager\Accounts";
        private const string Outlook16 = Hkcu + @"\Software\Microsoft\Office\16.0\Outlook\Profiles\Outlook\9375CFF0413111d3B88A00104B2A6676";
        private const string Messaging = Hkcu + @"\Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles\Default\9375CFF0413111d3B88A00104B2A6676";

        private readonly MemoryRegistry _registry = new MemoryRegistry();
        private readonly string _backups = Path.Combine(Path.GetTempPath(), "mailtls-regbackups-" + Guid.NewGuid().ToString("N"));
        private ClientSslEngine _engine;

        public RegistryClientTests() => _engine = NewEngine();

        public void Dispose()
        {
            if (Directory.Exists(_backups))
            {
                Directory.Delete(_backups, recursive: true);
            }
        }

        [Fact]
        public void OutlookExpressReadsEveryMailAccountWithItsTransportRules()
        {
            OutlookExpressAccounts();
            var accounts = Read(Hkcu);
            Assert.Equal(new[]
            {
                ("Home", MailRole.Incoming, MailProtocol.Pop3, "pop.example.com", 110, MailSecurity.None),
                ("Home", MailRole.Outgoing, MailProtocol.Smtp, "smtp.example.com", 25, MailSecurity.StartTls),
                ("Work", MailRole.Incoming, MailProtocol.Imap, "imap.example.org", 993, MailSecurity.Implicit),
                ("Work", MailRole.Outgoing, MailProtocol.Smtp, "smtp.example.org", 587, MailSecurity.Implicit),
            }, accounts.Select(a => (a.Account, a.Role, a.Protocol, a.HostName, a.Port, a.Security)));
            Assert.All(accounts, a => Assert.Equal(MailClient.OutlookExpress, a.Client));
            Assert.Equal("home@example.com", accounts[0].EmailAddress);
            Assert.Equal(OeAccounts + @"\00000001", accounts[0].ConfigPath);

            // SSL ticked on 587: Outlook Express starts TLS at once there, which a STARTTLS-only server refuses.
            Assert.Contains(accounts[3].Findings, f => f.Id == FindingCatalog.ClientPortModeMismatch.Id);
            Assert.Contains(accounts[0].Findings, f => f.Id == FindingCatalog.ClientPlaintext.Id);
            Assert.Equal(Verdict.Pass, accounts[2].Verdict);
        }

        [Fact]
        public void OutlookExpressSwitchesModeAndPortTogetherBacksUpAndUndoes()
        {
            OutlookExpressAccounts();
            var before = _registry.Dump();
            var pop = Account(Hkcu, "Home", MailRole.Incoming);
            var plan = _engine.Plan(pop, MailSecurity.Implicit, null, null, false);
            Assert.Equal(new[] { ("POP3 Secure Connection", (string?)"0", (string?)"1"), ("POP3 Port", null, "995") }, plan.Changes.Select(c => (c.Setting, c.OldValue, c.NewValue)));
            Assert.Contains(plan.Warnings, w => w.Contains("download every message"));
            Assert.Contains(plan.Warnings, w => w.Contains("Exit Outlook Express and open it again"));
            Assert.Equal(before, _registry.Dump());

            var changes = _engine.Apply(plan, false);
            Assert.Equal(2, changes.Count);
            Assert.Equal(1, (int)_registry.GetValue(OeAccounts + @"\00000001", "POP3 Secure Connection")!.Data);
            Assert.Equal(RegistryValueKind.DWord, _registry.GetValue(OeAccounts + @"\00000001", "POP3 Port")!.Kind);
            Assert.Equal((MailSecurity.Implicit, 995), (Account(Hkcu, "Home", MailRole.Incoming).Security, Account(Hkcu, "Home", MailRole.Incoming).Port));

            // The backup is a .reg file regedit could import: UTF-16, the header, the key, the old value and a deletion.
            var backup = Assert.Single(Directory.GetFiles(_backups));
            Assert.Equal(changes[0].BackupPath, backup);
            var bytes = File.ReadAllBytes(backup);
            Assert.Equal(new byte[] { 0xFF, 0xFE }, bytes.Take(2));
            var text = Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
            Assert.StartsWith("Windows Registry Editor Version 5.00\r\n", text);
            Assert.Contains($"[{OeAccounts}\\00000001]\r\n", text);
            Assert.Contains("\"POP3 Port\"=-\r\n", text);
            Assert.Contains("\"POP3 Secure Connection\"=dword:00000000\r\n", text);

            // A second run changes nothing and takes no backup.
            _engine = NewEngine();
            var writes = _registry.Writes;
            Assert.Empty(_engine.Apply(_engine.Plan(Account(Hkcu, "Home", MailRole.Incoming), MailSecurity.Implicit, null, null, false), false));
            Assert.Equal(writes, _registry.Writes);
            Assert.Single(Directory.GetFiles(_backups));

            var undo = _engine.Undo("HKCU:\\" + OeAccounts.Substring(Hkcu.Length + 1) + @"\00000001", force: false);
            Assert.Equal(new[] { OeAccounts + @"\00000001" }, undo.Restored);
            Assert.Equal(new[] { ("Security", "Implicit", "None"), ("Port", "995", "110") }, undo.Changes.Select(c => (c.Setting, c.OldValue!, c.NewValue!)));
            Assert.Equal(before, _registry.Dump());
            Assert.Single(Directory.GetFiles(_backups, "*.mailtls-undo-backup.reg"));

            // Undone already: nothing to restore.
            Assert.Empty(_engine.Undo(OeAccounts + @"\00000001", force: false).Restored);
        }

        [Fact]
        public void OutlookExpressHasNoStartTlsForPopAndImapAndStartTlsForSmtpOnlyOnPort25()
        {
            OutlookExpressAccounts();
            var before = _registry.Dump();
            var imap = Account(Hkcu, "Work", MailRole.Incoming);
            Assert.Equal("SslNotSupported", Assert.Throws<ClientConfigException>(() => _engine.Plan(imap, MailSecurity.StartTls, null, null, false)).ErrorId);
            var smtp = Account(Hkcu, "Work", MailRole.Outgoing);
            var refused = Assert.Throws<ClientConfigException>(() => _engine.Plan(smtp, MailSecurity.StartTls, null, null, false));
            Assert.Equal("SslNotSupported", refused.ErrorId);
            Assert.Contains("only on port 25", refused.Message);
            Assert.Equal(before, _registry.Dump());

            _engine.Apply(_engine.Plan(smtp, MailSecurity.StartTls, 25, null, false), false);
            Assert.Equal((MailSecurity.StartTls, 25), (Account(Hkcu, "Work", MailRole.Outgoing).Security, Account(Hkcu, "Work", MailRole.Outgoing).Port));

            // 587 with SSL ticked is the mismatch Get-ClientSsl reports; the fix is SSL on 465.
            _engine.Apply(_engine.Plan(Account(Hkcu, "Work", MailRole.Outgoing), MailSecurity.Implicit, null, "smtp2.example.org", false), false);
            var fixedSmtp = Account(Hkcu, "Work", MailRole.Outgoing);
            Assert.Equal(("smtp2.example.org", 465, MailSecurity.Implicit), (fixedSmtp.HostName, fixedSmtp.Port, fixedSmtp.Security));
            Assert.Equal(RegistryValueKind.String, _registry.GetValue(OeAccounts + @"\00000002", "SMTP Server")!.Kind);
            Assert.Empty(fixedSmtp.Findings);
        }

        [Fact]
        public void AValueOfTheWrongTypeIsReportedAndLeftAlone()
        {
            OutlookExpressAccounts();
            _registry.Key(OeAccounts + @"\00000001", ("POP3 Port", "995"));
            var before = _registry.Dump();
            var result = _engine.Read(new ClientQuery { Paths = new[] { Hkcu } });
            var error = Assert.Single(result.Errors);
            Assert.Equal("RegistryValueTypeInvalid", error.ErrorId);
            Assert.Equal(OeAccounts + @"\00000001", error.Target);
            Assert.Contains("'POP3 Port' as REG_SZ", error.Message);
            Assert.Contains("REG_DWORD", error.Message);

            // The other account still reads, and nothing was written.
            Assert.Equal(new[] { "Work", "Work" }, result.Accounts.Select(a => a.Account));
            Assert.Equal(before, _registry.Dump());
        }

        [Fact]
        public void Outlook2016ReadsUtf16BinaryTextAndWritesEncryptionTypes()
        {
            Outlook2016Accounts();
            var accounts = Read(Hkcu);
            Assert.Equal(new[]
            {
                ("alice@example.com", MailProtocol.Imap, "imap.example.com", 143, MailSecurity.None),
                ("alice@example.com", MailProtocol.Smtp, "smtp.example.com", 25, MailSecurity.None),
                ("Bob", MailProtocol.Pop3, "pop.example.net", 995, MailSecurity.Implicit),
                ("Bob", MailProtocol.Smtp, "smtp.example.net", 587, MailSecurity.StartTls),
            }, accounts.Select(a => (a.Account, a.Protocol, a.HostName, a.Port, a.Security)));
            Assert.All(accounts, a => Assert.Equal(("2016 or later", MailClient.Outlook), (a.ClientVersion!, a.Client)));
            Assert.Equal(Hkcu + @"\Software\Microsoft\Office\16.0\Outlook\Profiles\Outlook", accounts[0].Profile);

            var imap = accounts[0];
            _engine.Apply(_engine.Plan(imap, MailSecurity.Implicit, null, "mail.example.com", false), false);
            _engine.Apply(_engine.Plan(accounts[1], MailSecurity.StartTls, null, "mail.example.com", false), false);
            var key = Outlook16 + @"\00000002";
            Assert.Equal(1, (int)_registry.GetValue(key, "IMAP Use SSL")!.Data);
            Assert.Equal(993, (int)_registry.GetValue(key, "IMAP Port")!.Data);
            Assert.Equal(2, (int)_registry.GetValue(key, "SMTP Secure Connection")!.Data);
            Assert.Equal(587, (int)_registry.GetValue(key, "SMTP Port")!.Data);
            Assert.Equal(MemoryRegistry.Utf16("mail.example.com"), (byte[])_registry.GetValue(key, "SMTP Server")!.Data);
            Assert.Equal(new[] { (993, MailSecurity.Implicit, "mail.example.com"), (587, MailSecurity.StartTls, "mail.example.com") },
                Read(key).Select(a => (a.Port, a.Security, a.HostName)));

            // Both changes of one command share one backup, which holds the original values of both.
            var backup = RegistryBackupFolder.Read(Assert.Single(Directory.GetFiles(_backups)));
            Assert.Equal(new[] { "IMAP Port", "IMAP Server", "IMAP Use SSL", "SMTP Port", "SMTP Secure Connection", "SMTP Server" }, backup.Values.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal(MemoryRegistry.Utf16("imap.example.com"), (byte[])backup.Values["IMAP Server"]!.Data);
            _engine.Undo(key, force: false);
            Assert.Equal(new[] { (143, MailSecurity.None, "imap.example.com"), (25, MailSecurity.None, "smtp.example.com") }, Read(key).Select(a => (a.Port, a.Security, a.HostName)));

            // Incoming TLS (STARTTLS) is not documented as a value: refused with the way to do it by hand.
            var refused = Assert.Throws<ClientConfigException>(() => _engine.Plan(Read(key)[0], MailSecurity.StartTls, null, null, false));
            Assert.Equal("SslNotSupported", refused.ErrorId);
            Assert.Contains("More Settings > Advanced", refused.Message);
        }

        [Fact]
        public void Outlook2003HasTheSmtpCheckBoxAndTheOfficeXpCaveat()
        {
            _registry.Key(Hkcu + @"\Software\Microsoft\Office\11.0\Outlook");
            _registry.Key(Messaging + @"\00000001",
                ("Account Name", MemoryRegistry.Utf16("Home")), ("Email", MemoryRegistry.Utf16("home@example.com")),
                ("POP3 Server", MemoryRegistry.Utf16("pop.example.com")), ("POP3 Port", 110), ("POP3 Use SSL", 0),
                ("SMTP Server", MemoryRegistry.Utf16("smtp.example.com")), ("SMTP Port", 25), ("SMTP Use SSL", 1));
            var accounts = Read(Hkcu);
            Assert.Equal("2003", accounts[0].ClientVersion);

            // The check box on port 25 is STARTTLS.
            Assert.Equal((MailSecurity.StartTls, 25), (accounts[1].Security, accounts[1].Port));
            Assert.Equal("SslNotSupported", Assert.Throws<ClientConfigException>(() => _engine.Plan(accounts[1], MailSecurity.StartTls, 587, null, false)).ErrorId);
            var plan = _engine.Plan(accounts[1], MailSecurity.Implicit, null, null, false);
            Assert.Equal(new[] { ("SMTP Port", "465") }, plan.Changes.Select(c => (c.Setting, c.NewValue!)));
            Assert.Contains(plan.Warnings, w => w.Contains("port 465") && w.Contains("service pack"));
            Assert.Null(_registry.GetValue(Messaging + @"\00000001", "SMTP Secure Connection"));

            // With -ClientVersion 2007 the encryption type is written instead.
            var newer = _engine.Read(new ClientQuery { Paths = new[] { Hkcu }, ClientVersion = "2007" }).Accounts[1];
            var plan2007 = _engine.Plan(newer, MailSecurity.StartTls, 587, null, false, "2007");
            Assert.Equal(new[] { ("SMTP Secure Connection", "2"), ("SMTP Use SSL", "0"), ("SMTP Port", "587") }, plan2007.Changes.Select(c => (c.Setting, c.NewValue!)));
            Assert.DoesNotContain(plan2007.Warnings, w => w.Contains("service pack"));
        }

        [Fact]
        public void OutlookInternetMailOnlyUsesTheAccountManagerNames()
        {
            _registry.Key(Hkcu + @"\Software\Microsoft\Office\Outlook\OMI Account Manager\Accounts\00000001",
                ("Account Name", "Mail"), ("IMAP Server", "imap.example.com"), ("SMTP Server", "smtp.example.com"), ("IMAP Secure Connection", 1), ("IMAP Port", 993));
            var accounts = Read(Hkcu);
            Assert.Equal(new[] { (MailClient.Outlook, MailProtocol.Imap, 993, MailSecurity.Implicit), (MailClient.Outlook, MailProtocol.Smtp, 25, MailSecurity.None) },
                accounts.Select(a => (a.Client, a.Protocol, a.Port, a.Security)));
            Assert.Equal("98/2000 (Internet Mail Only)", accounts[0].ClientVersion);
        }

        [Fact]
        public void AHiveFindsEveryClientsAccountsAndSkipsNewsExchangeAndOtherHives()
        {
            const string Hive = @"HKEY_USERS\MailTlsOffline";
            OutlookExpressAccounts(Hive);
            Outlook2016Accounts(Hive);
            _registry.Key(Hive + @"\Software\Microsoft\Office\16.0\Outlook\Profiles\Outlook\9375CFF0413111d3B88A00104B2A6676\00000001",
                ("Account Name", MemoryRegistry.Utf16("Exchange")), ("clsid", "{ED475418-B0D6-11D2-8C3B-00104B2A6676}"));
            OutlookExpressAccounts();
            var accounts = Read("Registry::" + Hive);
            Assert.Equal(new[] { MailClient.OutlookExpress, MailClient.Outlook }, accounts.Select(a => a.Client).Distinct());
            Assert.Equal(8, accounts.Count);
            Assert.All(accounts, a => Assert.StartsWith(Hive + "\\", a.ConfigPath));

            // One account's key reads that account only.
            Assert.Equal(new[] { "Work", "Work" }, Read(OeAccounts + @"\00000002").Select(a => a.Account));

            var none = _engine.Read(new ClientQuery { Paths = new[] { Hkcu + @"\Software\Classes" } });
            Assert.Equal("ConfigNotFound", Assert.Single(none.Errors).ErrorId);
            _registry.Key(Hkcu + @"\Software\Classes");
            Assert.Equal("ConfigNotRecognized", Assert.Single(_engine.Read(new ClientQuery { Paths = new[] { Hkcu + @"\Software\Classes" } }).Errors).ErrorId);
        }

        [Fact]
        public void AFailedWritePutsEveryValueBackAndKeepsNoBackup()
        {
            OutlookExpressAccounts();
            var before = _registry.Dump();
            _registry.BeforeWrite = (key, name) =>
            {
                if (name == "POP3 Port")
                {
                    throw new IOException("the disk is full");
                }
            };
            var plan = _engine.Plan(Account(Hkcu, "Home", MailRole.Incoming), MailSecurity.Implicit, null, null, false);
            var failed = Assert.Throws<ClientConfigException>(() => _engine.Apply(plan, false));
            Assert.Equal("ConfigWriteFailed", failed.ErrorId);
            _registry.BeforeWrite = null;
            Assert.Equal(before, _registry.Dump());
            Assert.Empty(Directory.Exists(_backups) ? Directory.GetFiles(_backups) : Array.Empty<string>());
            Assert.Equal("BackupNotFound", Assert.Throws<ClientConfigException>(() => _engine.Undo(OeAccounts + @"\00000001", false)).ErrorId);
        }

        [Fact]
        public void WhenEvenThePutBackFailsTheErrorSaysSoAndNamesTheBackup()
        {
            OutlookExpressAccounts();
            var writes = 0;
            _registry.BeforeWrite = (key, name) =>
            {
                if (++writes >= 2)
                {
                    throw new IOException("the disk is full");
                }
            };
            var plan = _engine.Plan(Account(Hkcu, "Home", MailRole.Incoming), MailSecurity.Implicit, null, null, false);
            var failed = Assert.Throws<ClientConfigException>(() => _engine.Apply(plan, false));
            Assert.Equal("ConfigRestoreFailed", failed.ErrorId);
            var backup = Assert.Single(Directory.GetFiles(_backups));
            Assert.Contains(backup, failed.Message);
            Assert.Contains("half-changed", failed.Message);

            // The backup it names holds the state before the change.
            _registry.BeforeWrite = null;
            Assert.Equal(0, (int)RegistryBackupFolder.Read(backup).Values["POP3 Secure Connection"]!.Data);
        }

        [Fact]
        public void WithoutARegistryAKeyPathSaysSo()
        {
            _registry.Available = false;
            var error = Assert.Single(_engine.Read(new ClientQuery { Paths = new[] { @"HKCU:\Software" } }).Errors);
            Assert.Equal(("RegistryUnavailable", @"HKEY_CURRENT_USER\Software"), (error.ErrorId, error.Target));
            Assert.Empty(_engine.Read(new ClientQuery { Clients = new[] { MailClient.Outlook } }).Accounts);
        }

        [Theory]
        [InlineData(@"HKCU:\Software\X", @"HKEY_CURRENT_USER\Software\X")]
        [InlineData(@"Registry::HKEY_USERS\S-1-5-21-1\Software", @"HKEY_USERS\S-1-5-21-1\Software")]
        [InlineData(@"hklm\SOFTWARE\", @"HKEY_LOCAL_MACHINE\SOFTWARE")]
        [InlineData(@"HKEY_CURRENT_USER", "HKEY_CURRENT_USER")]
        [InlineData(@"C:\Users\alice\prefs.js", null)]
        [InlineData(@"/home/alice/HKCU:/x", null)]
        [InlineData(@"HKCUX\Software", null)]
        public void RegistryPathsAreRecognisedInEveryForm(string path, string? key) => Assert.Equal(key, ClientSslEngine.RegistryKeyPath(path));

        [Fact]
        public void ABackupThatIsNotOursIsRefused()
        {
            Assert.Equal("BackupUnreadable", Assert.Throws<ClientConfigException>(() => RegistryBackup.Parse("REGEDIT4\r\n[HKEY_CURRENT_USER\\X]\r\n", "x.reg")).ErrorId);
            Assert.Equal("BackupUnreadable", Assert.Throws<ClientConfigException>(() =>
                RegistryBackup.Parse("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\X]\r\n\"A\"=hex(7):41,00,00,00\r\n", "x.reg")).ErrorId);
            var parsed = RegistryBackup.Parse("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\X]\r\n\"Quote \\\"q\\\"\"=\"C:\\\\mail\"\r\n\"B\"=hex:01,\\\r\n  02\r\n\"D\"=dword:ffffffff\r\n", "x.reg");
            Assert.Equal("C:\\mail", parsed.Values["Quote \"q\""]!.Data);
            Assert.Equal(new byte[] { 1, 2 }, parsed.Values["B"]!.Data);
            Assert.Equal(-1, parsed.Values["D"]!.Data);
        }

        [Theory]
        [InlineData(new byte[] { 0x61, 0, 0x62, 0, 0, 0 }, "ab")]
        [InlineData(new byte[] { 0x61, 0x62, 0x63, 0 }, "abc")]
        [InlineData(new byte[] { 0xE9, 0, 0, 0 }, "é")]
        [InlineData(new byte[] { 0x61, 0x62, 0x63 }, "abc")]
        [InlineData(new byte[] { 0x2D, 0x4E, 0x71, 0x5C, 0, 0 }, "中山")]
        [InlineData(new byte[] { 0x6D, 0x61, 0x69, 0x6C }, "mail")]
        public void OutlookTextDecodesUtf16AndSingleByteText(byte[] bytes, string text) => Assert.Equal(text, RegistryConfigurator.DecodeText(bytes));

        [Fact]
        public void OneKeySpelledTwoWaysInOneCommandSharesOneBackup()
        {
            OutlookExpressAccounts();
            var upper = OeAccounts.ToUpperInvariant() + @"\00000002";
            var lower = OeAccounts.ToLowerInvariant() + @"\00000002";
            var incoming = Assert.Single(Read(upper), a => a.Role == MailRole.Incoming);
            var outgoing = Assert.Single(Read(lower), a => a.Role == MailRole.Outgoing);
            _engine.Apply(_engine.Plan(incoming, MailSecurity.Implicit, null, "imap2.example.org", false), false);
            _engine.Apply(_engine.Plan(outgoing, MailSecurity.Implicit, null, null, false), false);
            var backup = RegistryBackupFolder.Read(Assert.Single(Directory.GetFiles(_backups)));
            Assert.Equal(new[] { "IMAP Server", "SMTP Port" }, backup.Values.Keys.OrderBy(k => k, StringComparer.Ordinal));
            _engine.Undo(OeAccounts + @"\00000002", force: false);
            Assert.Equal(new[] { ("imap.example.org", 993), ("smtp.example.org", 587) }, Read(OeAccounts + @"\00000002").Select(a => (a.HostName, a.Port)));
        }

        [Fact]
        public void AnExpandableServerNameKeepsItsTypeThroughTheBackup()
        {
            OutlookExpressAccounts();
            var key = OeAccounts + @"\00000001";
            _registry.Key(key, ("POP3 Server", new RegistryData(RegistryValueKind.ExpandString, "pop.%USERDNSDOMAIN%")));
            var pop = Account(Hkcu, "Home", MailRole.Incoming);
            Assert.Equal("pop.%USERDNSDOMAIN%", pop.HostName);
            var change = _engine.Apply(_engine.Plan(pop, MailSecurity.Implicit, null, "pop.example.com", false), false);
            Assert.Equal(new RegistryData(RegistryValueKind.ExpandString, "pop.example.com"), _registry.GetValue(key, "POP3 Server"));
            var text = File.ReadAllText(change[0].BackupPath!, Encoding.Unicode);
            Assert.Contains("\"POP3 Server\"=hex(2):70,00,6f,00,70,00,2e,00", text);
            _engine.Undo(key, force: false);
            Assert.Equal(new RegistryData(RegistryValueKind.ExpandString, "pop.%USERDNSDOMAIN%"), _registry.GetValue(key, "POP3 Server"));
        }

        [Fact]
        public void AKeyTheUserMayNotReadIsOneErrorAndTheRestIsRead()
        {
            OutlookExpressAccounts();
            Outlook2016Accounts();
            _registry.Denied = path => path.StartsWith(Hkcu + @"\Software\Microsoft\Office", StringComparison.OrdinalIgnoreCase);
            var result = _engine.Read(new ClientQuery { Paths = new[] { Hkcu } });
            var error = Assert.Single(result.Errors);
            Assert.Equal(("ConfigAccessDenied", Hkcu), (error.ErrorId, error.Target));
            Assert.Empty(result.Accounts);

            // Where the client's own keys can be read, they are.
            var oe = _engine.Read(new ClientQuery { Paths = new[] { OeAccounts + @"\00000001" } });
            Assert.Empty(oe.Errors);
            Assert.Equal(2, oe.Accounts.Count);
        }

        [Fact]
        public void ARunningClientIsRefusedForItsAccountKey()
        {
            OutlookExpressAccounts();
            var running = Process.GetCurrentProcess().ProcessName;
            var engine = new ClientSslEngine(new ClientConfigurator[]
            {
                new InternetAccountManagerConfigurator(MailClient.OutlookExpress, "Outlook Express", new[] { @"Software\Microsoft\Internet Account Manager\Accounts" },
                    new[] { running }, null, _registry, new RegistryBackupFolder(_backups)),
            });
            var before = _registry.Dump();
            var pop = Assert.Single(engine.Read(new ClientQuery { Paths = new[] { Hkcu } }).Accounts, a => a.Role == MailRole.Incoming && a.Account == "Home");
            var refused = Assert.Throws<ClientConfigException>(() => engine.Apply(engine.Plan(pop, MailSecurity.Implicit, null, null, false), false));
            Assert.Equal(("ClientRunning", OeAccounts + @"\00000001"), (refused.ErrorId, refused.Target));
            Assert.Contains($"({running}.exe)", refused.Message);
            Assert.Equal(before, _registry.Dump());
            Assert.Equal(2, engine.Apply(engine.Plan(pop, MailSecurity.Implicit, null, null, false), force: true).Count);
        }

        [Fact]
        public void UndoOfAGoneKeySaysSoAndAFailedUndoPutsTheValuesBack()
        {
            OutlookExpressAccounts();
            var key = OeAccounts + @"\00000001";
            _engine.Apply(_engine.Plan(Account(Hkcu, "Home", MailRole.Incoming), MailSecurity.Implicit, null, "pop2.example.com", false), false);
            var switched = _registry.Dump();
            _registry.BeforeWrite = (k, name) =>
            {
                if (name == "POP3 Server")
                {
                    throw new UnauthorizedAccessException("Access to the registry key is denied.");
                }
            };
            Assert.Throws<UnauthorizedAccessException>(() => _engine.Undo(key, force: false));
            _registry.BeforeWrite = null;
            Assert.Equal(switched, _registry.Dump());

            _registry.DeleteKey(key);
            var gone = Assert.Throws<ClientConfigException>(() => _engine.Undo(key, force: false));
            Assert.Equal("ConfigNotFound", gone.ErrorId);
            Assert.Contains("reg import", gone.Message);
        }

        [Fact]
        public void TheCurrentUsersHiveIsNamedHkcuAndOtherLoadedHivesByTheirSid()
        {
            const string Profiles = @"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList";
            var own = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            _registry.Key(Profiles + @"\S-1-5-21-1-1001", ("ProfileImagePath", new RegistryData(RegistryValueKind.ExpandString, own)));
            _registry.Key(Profiles + @"\S-1-5-21-1-1002", ("ProfileImagePath", "/home/bob"));
            _registry.Key(Profiles + @"\S-1-5-21-1-1003", ("ProfileImagePath", "/home/carol"));
            _registry.Key(@"HKEY_USERS\S-1-5-21-1-1001");
            _registry.Key(@"HKEY_USERS\S-1-5-21-1-1002");
            var hives = UserHome.LoadedHives(_registry);
            Assert.Equal("HKEY_CURRENT_USER", hives[Path.GetFullPath(own)]);
            Assert.Equal(@"HKEY_USERS\S-1-5-21-1-1002", hives["/home/bob"]);
            Assert.False(hives.ContainsKey("/home/carol"));
        }

        [Fact]
        public void AKeyNameWithASlashKeepsIt()
        {
            Assert.Equal(@"HKEY_CURRENT_USER\Software\Profiles\Work/Home", ClientSslEngine.RegistryKeyPath(@"HKEY_CURRENT_USER\Software\Profiles\Work/Home"));
            Assert.Equal(@"HKEY_CURRENT_USER\Software\Profiles\Work/Home", ClientSslEngine.RegistryKeyPath(@"Registry::HKEY_CURRENT_USER\Software\Profiles\Work/Home"));
            Assert.Equal(@"HKEY_CURRENT_USER\Software\X", ClientSslEngine.RegistryKeyPath("HKCU:/Software/X"));
        }

        private ClientSslEngine NewEngine()
        {
            var folder = new RegistryBackupFolder(_backups);
            return new ClientSslEngine(new ClientConfigurator[]
            {
                InternetAccountManagerConfigurator.OutlookExpress(_registry, folder),
                InternetAccountManagerConfigurator.OutlookInternetMailOnly(_registry, folder),
                new OutlookProfileConfigurator(_registry, folder),
            });
        }

        private IReadOnlyList<ClientAccount> Read(string path)
        {
            var result = _engine.Read(new ClientQuery { Paths = new[] { path } });
            Assert.Empty(result.Errors);
            return result.Accounts;
        }

        private ClientAccount Account(string path, string name, MailRole role) => Assert.Single(Read(path), a => a.Account == name && a.Role == role);

        /// <summary>Outlook Express: a POP3 account with defaults left out, an IMAP account with SSL, and a news account.</summary>
        private void OutlookExpressAccounts(string root = Hkcu)
        {
            var accounts = root + @"\Software\Microsoft\Internet Account Manager\Accounts";
            _registry.Key(root + @"\Software\Microsoft\Internet Account Manager", ("Default Mail Account", "00000001"));
            _registry.Key(accounts + @"\00000001",
                ("Account Name", "Home"), ("Connection Type", 3), ("POP3 Server", "pop.example.com"), ("POP3 User Name", "home"),
                ("POP3 Secure Connection", 0), ("SMTP Server", "smtp.example.com"), ("SMTP Secure Connection", 1),
                ("SMTP Email Address", "home@example.com"), ("POP3 Password2", new byte[] { 1, 2, 3 }));
            _registry.Key(accounts + @"\00000002",
                ("Account Name", "Work"), ("IMAP Server", "imap.example.org"), ("IMAP Port", 993), ("IMAP Secure Connection", 1),
                ("SMTP Server", "smtp.example.org"), ("SMTP Port", 587), ("SMTP Secure Connection", 1));
            _registry.Key(accounts + @"\00000003", ("Account Name", "News"), ("NNTP Server", "news.example.com"), ("NNTP Secure Connection", 0));
        }

        /// <summary>Outlook 2016: an IMAP account without encryption and a POP3 account with SSL and STARTTLS.</summary>
        private void Outlook2016Accounts(string root = Hkcu)
        {
            var profile = root + @"\Software\Microsoft\Office\16.0\Outlook\Profiles\Outlook\9375CFF0413111d3B88A00104B2A6676";
            _registry.Key(profile + @"\00000002",
                ("Account Name", MemoryRegistry.Utf16("alice@example.com")), ("Email", MemoryRegistry.Utf16("alice@example.com")),
                ("clsid", "{ED475412-B0D6-11D2-8C3B-00104B2A6676}"), ("IMAP Server", MemoryRegistry.Utf16("imap.example.com")), ("IMAP Port", 143), ("IMAP Use SSL", 0),
                ("SMTP Server", MemoryRegistry.Utf16("smtp.example.com")), ("SMTP Port", 25), ("SMTP Secure Connection", 0), ("IMAP Password", new byte[] { 2, 9, 9 }));
            _registry.Key(profile + @"\00000003",
                ("Account Name", MemoryRegistry.Utf16("Bob")), ("clsid", "{ED475411-B0D6-11D2-8C3B-00104B2A6676}"),
                ("POP3 Server", MemoryRegistry.Utf16("pop.example.net")), ("POP3 Port", 995), ("POP3 Use SSL", 1),
                ("SMTP Server", MemoryRegistry.Utf16("smtp.example.net")), ("SMTP Port", 587), ("SMTP Secure Connection", 2));
        }
    }
}
