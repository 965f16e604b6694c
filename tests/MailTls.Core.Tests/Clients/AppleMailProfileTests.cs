using System;
using System.Diagnostics;
using System.IO;
using MailTls.Clients;
using Xunit;

namespace MailTls.Core.Tests.Clients
{
    /// <summary>A test that reads a property list with a real plist parser (Python's plistlib, from Debian's python3).</summary>
    public sealed class PlistFactAttribute : FactAttribute
    {
        public PlistFactAttribute()
        {
            if (!File.Exists("/usr/bin/python3"))
            {
                Skip = "needs python3 (its plistlib is the plist parser these tests use)";
            }
        }
    }

    /// <summary>The Apple Mail configuration profile, read back by a real plist parser.</summary>
    public sealed class AppleMailProfileTests
    {
        [PlistFact]
        public void TheProfileParsesAsAPlistWithAppleMailsKeys()
        {
            var profile = AppleMailProfile.Build("alice@example.com", "imap.example.com", MailProtocol.Imap, MailSecurity.Implicit, outgoingHostName: "smtp.example.com");
            var read = Parse(profile,
                "c = p['PayloadContent'][0]; print(p['PayloadType'], p['PayloadVersion'], len(p['PayloadContent']), c['PayloadType'], c['EmailAccountType'], c['EmailAddress'],"
                + " c['IncomingMailServerHostName'], c['IncomingMailServerPortNumber'], c['IncomingMailServerUseSSL'], c['OutgoingMailServerHostName'],"
                + " c['OutgoingMailServerPortNumber'], c['OutgoingMailServerUseSSL'], c['IncomingMailServerAuthentication'], type(c['IncomingMailServerPortNumber']).__name__)");
            Assert.Equal("Configuration 1 1 com.apple.mail.managed EmailTypeIMAP alice@example.com imap.example.com 993 True smtp.example.com 465 True EmailAuthPassword int", read);
        }

        [PlistFact]
        public void PopWithStartTlsGetsTheStartTlsPortsAndTheSameIdentifiersEveryTime()
        {
            var first = AppleMailProfile.Build("bob@example.com", "mail.example.com", MailProtocol.Pop3, MailSecurity.StartTls);
            Assert.Equal(first, AppleMailProfile.Build("bob@example.com", "mail.example.com", MailProtocol.Pop3, MailSecurity.StartTls));
            Assert.Equal("EmailTypePOP 110 587 mail.example.com", Parse(first,
                "c = p['PayloadContent'][0]; print(c['EmailAccountType'], c['IncomingMailServerPortNumber'], c['OutgoingMailServerPortNumber'], c['OutgoingMailServerHostName'])"));
            Assert.Matches("^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$", Parse(first, "print(p['PayloadUUID'])"));
        }

        [Theory]
        [InlineData("alice", "imap.example.com", MailProtocol.Imap, MailSecurity.Implicit)]
        [InlineData("alice@example.com", "", MailProtocol.Imap, MailSecurity.Implicit)]
        [InlineData("alice@example.com", "imap.example.com", MailProtocol.Smtp, MailSecurity.Implicit)]
        [InlineData("alice@example.com", "imap.example.com", MailProtocol.Imap, MailSecurity.None)]
        public void IncompleteOrPlaintextProfilesAreRefused(string email, string host, MailProtocol protocol, MailSecurity security) =>
            Assert.Throws<ArgumentException>(() => AppleMailProfile.Build(email, host, protocol, security));

        private static string Parse(string profile, string python)
        {
            var file = Path.Combine(Path.GetTempPath(), "mailtls-" + Guid.NewGuid().ToString("N") + ".mobileconfig");
            File.WriteAllText(file, profile);
            try
            {
                var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                start.ArgumentList.Add("-c");
                start.ArgumentList.Add("import plistlib, sys\nwith open(sys.argv[1], 'rb') as f: p = plistlib.load(f)\n" + python);
                start.ArgumentList.Add(file);
                using var process = Process.Start(start)!;
                var output = process.StandardOutput.ReadToEnd();
                var error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, error);
                return output.Trim();
            }
            finally
            {
                File.Delete(file);
            }
        }
    }
}
