using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using MailTls.Clients;
using MailTls.Clients.Settings;
using Xunit;

namespace MailTls.Core.Tests.Clients
{
    /// <summary>
    /// Applications' "Use SSL / Use StartTls / Port" settings (the seeds' station EmailService) in JSON, XML, INI and a
    /// zipped XML export: round trips that keep every byte the map does not name, and bad maps and files refused.
    /// </summary>
    public sealed class SettingsTargetTests : IDisposable
    {
        private static readonly Dictionary<string, string> JsonMap = new Dictionary<string, string>
        {
            ["UseSsl"] = "EmailService.OutgoingAccount.UseSsl",
            ["UseStartTls"] = "EmailService.OutgoingAccount.UseStartTls",
            ["Port"] = "EmailService.OutgoingAccount.Port",
            ["HostName"] = "EmailService.OutgoingAccount.Host",
        };

        private readonly ClientSandbox _box = new ClientSandbox();

        public void Dispose() => _box.Dispose();

        private static IReadOnlyList<ClientSslChange> Switch(SettingsTarget target, MailSecurity security, int? port = null, string? host = null)
        {
            var engine = ClientSslEngine.ForSettings(target);
            return engine.Apply(engine.Plan(Read(engine, target), security, port, host, force: false), force: false);
        }

        private static ClientAccount Read(SettingsTarget target) => Read(ClientSslEngine.ForSettings(target), target);

        /// <summary>The file's one account; a file that cannot be read throws its error, as the cmdlet writes it.</summary>
        private static ClientAccount Read(ClientSslEngine engine, SettingsTarget target)
        {
            var result = engine.Read(new ClientQuery { Paths = new[] { target.Path } });
            if (result.Errors.Count > 0)
            {
                throw result.Errors[0];
            }

            return Assert.Single(result.Accounts);
        }

        [Fact]
        public void JsonKeepsItsTypesCommentsAndLayout()
        {
            const string Json = "{\n  // station export\n  \"EmailService\": {\n    \"IncomingAccount\": { \"UseSsl\": false, \"Port\": 110 },\n"
                + "    \"OutgoingAccount\": {\n      \"Host\": \"smtp.example.com\",\n      \"UseSsl\":   false,\n      \"UseStartTls\": \"false\",\n      \"Port\": 25,\n    },\n"
                + "    \"Accounts\": [ { \"Port\": 1 }, { \"Port\": 2 } ]\n  }\n}\n";
            var path = _box.Write("station.json", Json);
            var target = new SettingsTarget(path, JsonMap, MailProtocol.Smtp);
            Assert.Equal((MailSecurity.None, 25, "smtp.example.com"), (Read(target).Security, Read(target).Port, Read(target).HostName));

            var changes = Switch(target, MailSecurity.StartTls);
            Assert.Equal(new[] { "EmailService.OutgoingAccount.UseStartTls", "EmailService.OutgoingAccount.Port" }, changes.Select(c => c.Setting));
            Assert.Equal(Json.Replace("\"UseStartTls\": \"false\"", "\"UseStartTls\": \"true\"").Replace("\"Port\": 25,", "\"Port\": 587,"), File.ReadAllText(path));

            Switch(target, MailSecurity.Implicit);
            Assert.Equal(Json.Replace("\"UseSsl\":   false", "\"UseSsl\":   true").Replace("\"Port\": 25,", "\"Port\": 465,"), File.ReadAllText(path));
            Assert.Empty(ClientSslEngine.ForSettings(target).Plan(Read(target), MailSecurity.Implicit, null, null, false).Changes);

            var array = new SettingsTarget(path, new Dictionary<string, string> { ["UseSsl"] = "EmailService.IncomingAccount.UseSsl", ["Port"] = "EmailService.Accounts[1].Port" }, MailProtocol.Pop3);
            Assert.Equal(2, Read(array).Port);
        }

        [Fact]
        public void XmlChangesAttributesAndElementTextAndNothingElse()
        {
            const string Xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Niagara-like export -->\n<station>\n  <EmailService>\n"
                + "    <OutgoingAccount useSsl='false' useStartTls=\"False\" >\n      <port>25</port>\n      <host>smtp.example.com</host>\n    </OutgoingAccount>\n  </EmailService>\n</station>\n";
            var path = _box.Write("station.xml", Xml);
            var target = new SettingsTarget(path, new Dictionary<string, string>
            {
                ["UseSsl"] = "/station/EmailService/OutgoingAccount/@useSsl",
                ["UseStartTls"] = "/station/EmailService/OutgoingAccount/@useStartTls",
                ["Port"] = "/station/EmailService/OutgoingAccount/port",
            }, MailProtocol.Smtp);

            Switch(target, MailSecurity.StartTls);
            Assert.Equal(Xml.Replace("useStartTls=\"False\"", "useStartTls=\"True\"").Replace("<port>25</port>", "<port>587</port>"), File.ReadAllText(path));
            Assert.Equal((MailSecurity.StartTls, 587), (Read(target).Security, Read(target).Port));
        }

        [Fact]
        public void IniKeepsWordsAsWords()
        {
            const string Ini = "; device\n[Mail]\nUseSsl = no\nUseStartTls = no\nPort = 25\nOther = kept\n";
            var path = _box.Write("device.ini", Ini);
            var target = new SettingsTarget(path, new Dictionary<string, string> { ["UseSsl"] = "Mail/UseSsl", ["UseStartTls"] = "Mail/UseStartTls", ["Port"] = "Mail/Port" }, MailProtocol.Smtp);
            Switch(target, MailSecurity.Implicit);
            Assert.Equal(Ini.Replace("UseSsl = no", "UseSsl = yes").Replace("Port = 25", "Port = 465"), File.ReadAllText(path));
        }

        [Fact]
        public void ZippedXmlIsRewrittenWithEveryOtherEntryKept()
        {
            const string Xml = "<station><EmailService><IncomingAccount useSsl=\"false\" useStartTls=\"false\" port=\"143\"/></EmailService></station>";
            var path = Path.Combine(_box.Home, "station.bog");
            using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
            {
                Write(archive, "file.xml", Xml);
                Write(archive, "readme.txt", "other content");
            }

            var map = new Dictionary<string, string> { ["UseSsl"] = "//IncomingAccount/@useSsl", ["UseStartTls"] = "//IncomingAccount/@useStartTls", ["Port"] = "//IncomingAccount/@port" };
            Assert.Equal("MapKeyMissing", Assert.Throws<ClientConfigException>(() => Read(new SettingsTarget(path, map, MailProtocol.Imap))).ErrorId);

            var target = new SettingsTarget(path, map, MailProtocol.Imap, entry: "file.xml");
            Switch(target, MailSecurity.Implicit);
            using var result = ZipFile.OpenRead(path);
            Assert.Equal(new[] { "file.xml", "readme.txt" }, result.Entries.Select(e => e.FullName));
            Assert.Equal(Xml.Replace("useSsl=\"false\"", "useSsl=\"true\"").Replace("port=\"143\"", "port=\"993\""), ReadEntry(result, "file.xml"));
            Assert.Equal("other content", ReadEntry(result, "readme.txt"));
            Assert.Single(Directory.GetFiles(_box.Home, ".station.bog.*.mailtls-backup"));
        }

        [Theory]
        [InlineData("{\"a\": {\"UseSsl\": false, \"Port\": 25}}", "a.UseSsl", "a.UseSsl", "a.Port", "MapInvalid")]
        [InlineData("{\"a\": {\"UseSsl\": false, \"Port\": 25}}", "a.UseSsl", null, "a.Nowhere", "MapKeyMissing")]
        [InlineData("{\"a\": {\"UseSsl\": false, \"Port\": 25}}", null, null, "a.Port", "MapInvalid")]
        [InlineData("{\"a\": {\"UseSsl\": \"maybe\", \"Port\": 25}}", "a.UseSsl", null, "a.Port", "ConfigMalformed")]
        [InlineData("{\"a\": {\"UseSsl\": false, \"Port\": 25", "a.UseSsl", null, "a.Port", "ConfigMalformed")]
        [InlineData("{\"a\": {\"UseSsl\": false, \"Port\": \"twenty\"}}", "a.UseSsl", null, "a.Port", "ConfigMalformed")]
        public void BadMapsAndFilesAreRefusedAndNothingIsWritten(string json, string? useSsl, string? useStartTls, string port, string errorId)
        {
            var path = _box.Write("app.json", json);
            var map = new Dictionary<string, string> { ["Port"] = port };
            if (useSsl != null)
            {
                map["UseSsl"] = useSsl;
            }

            if (useStartTls != null)
            {
                map["UseStartTls"] = useStartTls;
            }

            var before = _box.Snapshot();
            var ex = Assert.Throws<ClientConfigException>(() => Switch(new SettingsTarget(path, map, MailProtocol.Smtp), MailSecurity.Implicit));
            Assert.Equal(errorId, ex.ErrorId);
            Assert.Equal(before, _box.Snapshot());
        }

        [Fact]
        public void StartTlsNeedsItsFlagInTheMap()
        {
            var path = _box.Write("app.json", "{\"UseSsl\": false, \"Port\": 25}");
            var target = new SettingsTarget(path, new Dictionary<string, string> { ["UseSsl"] = "UseSsl", ["Port"] = "Port" }, MailProtocol.Smtp);
            Assert.Equal("MapInvalid", Assert.Throws<ClientConfigException>(() => Switch(target, MailSecurity.StartTls)).ErrorId);
        }

        [Fact]
        public void BothFlagsTrueIsNeverLeftAsItIs()
        {
            var path = _box.Write("app.json", "{\"S\":{\"UseSsl\":true,\"UseStartTls\":true,\"Port\":465}}");
            var target = new SettingsTarget(path, new Dictionary<string, string> { ["UseSsl"] = "S.UseSsl", ["UseStartTls"] = "S.UseStartTls", ["Port"] = "S.Port" }, MailProtocol.Smtp);
            Switch(target, MailSecurity.Implicit);
            Assert.Equal("{\"S\":{\"UseSsl\":true,\"UseStartTls\":false,\"Port\":465}}", File.ReadAllText(path));
        }

        [Fact]
        public void AJsonNullIsNotAValueToChange()
        {
            var path = _box.Write("app.json", "{\"UseSsl\": false, \"Port\": 25, \"Host\": null}");
            var target = new SettingsTarget(path, new Dictionary<string, string> { ["UseSsl"] = "UseSsl", ["Port"] = "Port", ["HostName"] = "Host" }, MailProtocol.Smtp);
            var before = _box.Snapshot();
            Assert.Equal("MapKeyMissing", Assert.Throws<ClientConfigException>(() => Switch(target, MailSecurity.Implicit, host: "mail.example.com")).ErrorId);
            Assert.Equal(before, _box.Snapshot());
        }

        [Fact]
        public void XmlWithOldMacLineEndsAndTwoKeysForOneSetting()
        {
            var path = _box.Write("app.xml", "<?xml version=\"1.0\"?>\r<!-- a\rcomment -->\r<C>\r  <Out ssl=\"false\" port=\"25\"/>\r</C>\r");
            var target = new SettingsTarget(path, new Dictionary<string, string> { ["UseSsl"] = "/C/Out/@ssl", ["Port"] = "/C/Out/@port" }, MailProtocol.Smtp);
            Switch(target, MailSecurity.Implicit);
            Assert.Equal("<?xml version=\"1.0\"?>\r<!-- a\rcomment -->\r<C>\r  <Out ssl=\"true\" port=\"465\"/>\r</C>\r", File.ReadAllText(path));

            var twice = new SettingsTarget(path, new Dictionary<string, string> { ["UseSsl"] = "/C/Out/@ssl", ["UseStartTls"] = "//@ssl", ["Port"] = "/C/Out/@port" }, MailProtocol.Smtp);
            Assert.Equal("MapInvalid", Assert.Throws<ClientConfigException>(() => Read(twice)).ErrorId);
        }

        [Fact]
        public void AZipKeepsItsEntriesEncodingsAndStoredData()
        {
            var path = Path.Combine(_box.Home, "export.zip");
            var latin1 = Encoding.Latin1.GetBytes("{\"Name\": \"caf\u00e9\", \"UseSsl\": false, \"Port\": 143}");
            using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
            {
                var stored = archive.CreateEntry("mimetype", CompressionLevel.NoCompression);
                using (var s = stored.Open())
                {
                    s.Write(Encoding.ASCII.GetBytes("application/x-station"));
                }

                var script = archive.CreateEntry("bin/run.sh");
                script.ExternalAttributes = Convert.ToInt32("100755", 8) << 16;
                using (var s = script.Open())
                {
                    s.Write(Encoding.ASCII.GetBytes("#!/bin/sh\n"));
                }

                using (var s = archive.CreateEntry("settings.json").Open())
                {
                    s.Write(latin1);
                }
            }

            var target = new SettingsTarget(path, new Dictionary<string, string> { ["UseSsl"] = "UseSsl", ["Port"] = "Port" }, MailProtocol.Imap, entry: "settings.json");
            Switch(target, MailSecurity.Implicit);
            using var result = ZipFile.OpenRead(path);
            Assert.Equal(new[] { "mimetype", "bin/run.sh", "settings.json" }, result.Entries.Select(e => e.FullName));
            Assert.Equal(result.GetEntry("mimetype")!.Length, result.GetEntry("mimetype")!.CompressedLength);
            Assert.Equal(Convert.ToInt32("100755", 8), (int)((uint)result.GetEntry("bin/run.sh")!.ExternalAttributes >> 16));
            using var copy = new MemoryStream();
            using (var entry = result.GetEntry("settings.json")!.Open())
            {
                entry.CopyTo(copy);
            }

            Assert.Equal(Encoding.Latin1.GetBytes("{\"Name\": \"caf\u00e9\", \"UseSsl\": true, \"Port\": 993}"), copy.ToArray());

            // Without -Entry, an archive with one file takes that file's format from its name.
            var single = Path.Combine(_box.Home, "one.zip");
            using (var archive = ZipFile.Open(single, ZipArchiveMode.Create))
            {
                Write(archive, "a.json", "{\"UseSsl\": false, \"Port\": 25}");
            }

            Assert.Equal(25, Read(new SettingsTarget(single, new Dictionary<string, string> { ["UseSsl"] = "UseSsl", ["Port"] = "Port" }, MailProtocol.Smtp)).Port);
        }

        [Fact]
        public void ANewHostMustBeAHostNameAndAPortMustBeTheProtocols()
        {
            var path = _box.Write("app.json", "{\"UseSsl\": false, \"Port\": 25, \"Host\": \"smtp.example.com\"}");
            var target = new SettingsTarget(path, new Dictionary<string, string> { ["UseSsl"] = "UseSsl", ["Port"] = "Port", ["HostName"] = "Host" }, MailProtocol.Smtp);
            Assert.Equal("HostNameInvalid", Assert.Throws<ClientConfigException>(() => Switch(target, MailSecurity.Implicit, host: "new.example.com\" mda \"/bin/sh -c id")).ErrorId);
            Assert.Equal("PortModeMismatch", Assert.Throws<ClientConfigException>(() => Switch(target, MailSecurity.Implicit, port: 993)).ErrorId);
        }

        private static void Write(ZipArchive archive, string name, string text)
        {
            using var stream = archive.CreateEntry(name).Open();
            var bytes = Encoding.UTF8.GetBytes(text);
            stream.Write(bytes, 0, bytes.Length);
        }

        private static string ReadEntry(ZipArchive archive, string name)
        {
            using var reader = new StreamReader(archive.GetEntry(name)!.Open());
            return reader.ReadToEnd();
        }
    }
}
