using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using MailTls.Clients;
using Xunit;

namespace MailTls.Core.Tests.Clients
{
    /// <summary>A test of Unix file modes, owners or lock symlinks; skipped, by name, on Windows.</summary>
    public sealed class UnixFactAttribute : FactAttribute
    {
        public UnixFactAttribute()
        {
            if (OperatingSystem.IsWindows())
            {
                Skip = "Unix file modes, owners and Mozilla's lock symlink (the Windows job covers parent.lock)";
            }
        }
    }

    /// <summary>The engine's safety rules, the same for every format: backups, atomic writes, refusals, nothing written by a plan.</summary>
    public sealed class ClientEngineTests : IDisposable
    {
        private const string Rc = "account work\nhost smtp.example.com\nport 25\n";
        private readonly ClientSandbox _box = new ClientSandbox();

        public void Dispose() => _box.Dispose();

        [Fact]
        public void OneBackupPerFileAndCommandAndASecondRunWritesNothing()
        {
            var rc = _box.Write(".msmtprc", Rc + "\naccount other\nhost smtp.example.org\n");
            _box.Switch(rc, "work", MailSecurity.Implicit);
            _box.Switch(rc, "other", MailSecurity.Implicit);
            var backup = Assert.Single(Directory.GetFiles(_box.Home, ".msmtprc.*.mailtls-backup"));
            Assert.Equal(Rc + "\naccount other\nhost smtp.example.org\n", File.ReadAllText(backup));

            _box.NextRun();
            var before = _box.Snapshot();
            Assert.Empty(_box.Switch(rc, "work", MailSecurity.Implicit));
            Assert.Empty(_box.Switch(rc, "other", MailSecurity.Implicit));
            Assert.Equal(before, _box.Snapshot());
        }

        [Fact]
        public void APlanWritesNothing()
        {
            var rc = _box.Write(".msmtprc", Rc);
            var before = _box.Snapshot();
            var plan = _box.Engine.Plan(_box.Account(rc, "work"), MailSecurity.Implicit, null, null, false);
            Assert.Equal(new[] { "account work: tls", "account work: tls_starttls", "account work: port" }, plan.Changes.Select(c => c.Setting));
            Assert.All(plan.Changes, c => Assert.Null(c.BackupPath));
            Assert.Equal(before, _box.Snapshot());
        }

        [Fact]
        public void ACrashBetweenTheTemporaryFileAndTheRenameLeavesTheOriginal()
        {
            var rc = _box.Write(".msmtprc", Rc);
            _box.Engine.BeforeRename = _ => throw new IOException("injected crash");
            var ex = Assert.Throws<ClientConfigException>(() => _box.Switch(rc, "work", MailSecurity.Implicit));
            Assert.Equal("ConfigWriteFailed", ex.ErrorId);
            Assert.Equal(Rc, File.ReadAllText(rc));
            Assert.Empty(Directory.GetFiles(_box.Home, "*.tmp"));

            // The failed run leaves no backup behind, or Undo-ClientSsl would take it for the last good state.
            Assert.Empty(Directory.GetFiles(_box.Home, "*.mailtls-backup"));
        }

        [UnixFact]
        [UnsupportedOSPlatform("windows")]
        public void TheTemporaryFileIsNeverMoreOpenThanTheFileItReplaces()
        {
            var rc = _box.Write(".fetchmailrc", "poll pop.example.com proto pop3 user alice password secret\n");
            File.SetUnixFileMode(rc, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            UnixFileMode? seen = null;
            _box.Engine.BeforeRename = temporary => seen = File.GetUnixFileMode(temporary);
            _box.Switch(rc, "pop.example.com", MailSecurity.Implicit);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, seen);
        }

        [UnixFact]
        [UnsupportedOSPlatform("windows")]
        public void ALinkedDotfileIsWrittenWhereItLivesAndStaysALink()
        {
            var target = _box.Write("dotfiles/msmtprc", Rc);
            var link = Path.Combine(_box.Home, ".msmtprc");
            File.CreateSymbolicLink(link, target);
            _box.Switch(link, "work", MailSecurity.Implicit);
            Assert.Equal(target, new FileInfo(link).LinkTarget);
            Assert.Contains("port 465", File.ReadAllText(target));
            Assert.Single(Directory.GetFiles(Path.Combine(_box.Home, "dotfiles"), ".msmtprc.*.mailtls-backup"));

            Assert.NotEmpty(_box.Engine.Undo(link, force: false).Changes);
            Assert.Equal(Rc, File.ReadAllText(target));
            Assert.Equal(target, new FileInfo(link).LinkTarget);
        }

        [Fact]
        public void UndoOfPrefsJsAlsoPutsBackTheUserJsTheSameCommandChanged()
        {
            const string Prefs = "user_pref(\"mail.smtpservers\", \"smtp1\");\nuser_pref(\"mail.smtpserver.smtp1.hostname\", \"smtp.example.com\");\nuser_pref(\"mail.smtpserver.smtp1.port\", 25);\n";
            const string User = "user_pref(\"mail.smtpserver.smtp1.port\", 25);\n";
            var prefs = _box.Write("p/prefs.js", Prefs);
            var user = _box.Write("p/user.js", User);
            _box.Switch(prefs, "smtp1", MailSecurity.Implicit);
            Assert.Contains("465", File.ReadAllText(user));

            _box.NextRun();
            var changes = _box.Engine.Undo(prefs, force: false).Changes;
            Assert.Equal((Prefs, User), (File.ReadAllText(prefs), File.ReadAllText(user)));
            Assert.Contains(changes, c => c.Setting == "Port" && c.OldValue == "465" && c.NewValue == "25");
        }

        [UnixFact]
        [UnsupportedOSPlatform("windows")]
        public void AReadOnlyFileIsRefusedAndKept()
        {
            var rc = _box.Write(".msmtprc", Rc);
            File.SetUnixFileMode(rc, UnixFileMode.UserRead | UnixFileMode.GroupRead);
            var ex = Assert.Throws<ClientConfigException>(() => _box.Switch(rc, "work", MailSecurity.Implicit));
            Assert.Equal(("ConfigReadOnly", rc), (ex.ErrorId, ex.Target));
            Assert.Equal(Rc, File.ReadAllText(rc));
        }

        [UnixFact]
        [UnsupportedOSPlatform("windows")]
        public void PermissionsAndOwnerAreKept()
        {
            var rc = _box.Write(".fetchmailrc", "poll pop.example.com proto pop3 user alice password secret\n");
            File.SetUnixFileMode(rc, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var asRoot = Environment.UserName == "root";
            if (asRoot)
            {
                Run("chown", "nobody:nogroup", rc);
            }

            _box.Switch(rc, "pop.example.com", MailSecurity.Implicit);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(rc));
            if (asRoot)
            {
                Assert.Equal("nobody:nogroup", Run("stat", "-c", "%U:%G", rc).Trim());
                Assert.Equal("nobody:nogroup", Run("stat", "-c", "%U:%G", Directory.GetFiles(_box.Home, ".fetchmailrc.*.mailtls-backup").Single()).Trim());
            }
        }

        [UnixFact]
        [UnsupportedOSPlatform("windows")]
        public void AProfileOpenInTheClientIsRefusedUnlessForcedAndAStaleLockIsNot()
        {
            var prefs = _box.Write("p/prefs.js", "user_pref(\"mail.smtpservers\", \"smtp1\");\nuser_pref(\"mail.smtpserver.smtp1.hostname\", \"smtp.example.com\");\n");
            var lockLink = Path.Combine(_box.Home, "p", "lock");
            File.CreateSymbolicLink(lockLink, "127.0.0.1:+" + Environment.ProcessId);
            var ex = Assert.Throws<ClientConfigException>(() => _box.Switch(prefs, "smtp1", MailSecurity.Implicit));
            Assert.Equal(("ProfileLocked", Path.Combine(_box.Home, "p")), (ex.ErrorId, ex.Target));
            Assert.DoesNotContain("try_ssl", File.ReadAllText(prefs));

            Assert.NotEmpty(_box.Switch(prefs, "smtp1", MailSecurity.Implicit, force: true));

            // A crash leaves the link behind; its process is gone, so the profile is free.
            File.Delete(lockLink);
            File.CreateSymbolicLink(lockLink, "127.0.0.1:+" + int.MaxValue);
            Assert.NotEmpty(_box.Switch(prefs, "smtp1", MailSecurity.StartTls));
        }

        [Fact]
        public void MalformedMissingAndUnknownInputAreNamedErrors()
        {
            var bad = _box.Write("p/prefs.js", "user_pref(\"mail.smtpservers\", \"smtp1\");\nuser_pref(\"broken\" 3);\n");
            var malformed = Assert.Single(_box.Engine.Read(new ClientQuery { Paths = new[] { bad } }).Errors);
            Assert.Equal(("ConfigMalformed", bad), (malformed.ErrorId, malformed.Target));
            Assert.Contains("line 2", malformed.Message);

            var missing = Path.Combine(_box.Home, "nowhere", "prefs.js");
            Assert.Equal("ConfigNotFound", Assert.Single(_box.Engine.Read(new ClientQuery { Paths = new[] { missing } }).Errors).ErrorId);
            var stranger = _box.Write("notes.txt", "hello");
            Assert.Equal("ConfigNotRecognized", Assert.Single(_box.Engine.Read(new ClientQuery { Paths = new[] { stranger } }).Errors).ErrorId);

            var rc = _box.Write(".msmtprc", Rc);
            var account = _box.Account(rc, "work");
            File.WriteAllText(rc, "account renamed\nhost smtp.example.com\n");
            Assert.Equal("AccountNotFound", Assert.Throws<ClientConfigException>(() => _box.Engine.Plan(account, MailSecurity.Implicit, null, null, false)).ErrorId);
        }

        [Theory]
        [InlineData(MailProtocol.Imap, MailSecurity.Implicit, null, false, 993)]
        [InlineData(MailProtocol.Imap, MailSecurity.StartTls, null, false, 143)]
        [InlineData(MailProtocol.Pop3, MailSecurity.Implicit, null, false, 995)]
        [InlineData(MailProtocol.Smtp, MailSecurity.Implicit, null, false, 465)]
        [InlineData(MailProtocol.Smtp, MailSecurity.StartTls, null, false, 587)]
        [InlineData(MailProtocol.Smtp, MailSecurity.StartTls, 25, false, 25)]
        [InlineData(MailProtocol.Imap, MailSecurity.Implicit, 10993, false, 10993)]
        [InlineData(MailProtocol.Smtp, MailSecurity.None, null, true, 25)]
        public void ModeAndPortGoTogether(MailProtocol protocol, MailSecurity security, int? port, bool force, int expected) =>
            Assert.Equal(expected, PortModeRule.PortFor(protocol, security, port, force, "t"));

        [Theory]
        [InlineData(MailProtocol.Imap, MailSecurity.Implicit, 143, false, "PortModeMismatch")]
        [InlineData(MailProtocol.Imap, MailSecurity.StartTls, 993, false, "PortModeMismatch")]
        [InlineData(MailProtocol.Smtp, MailSecurity.Implicit, 587, false, "PortModeMismatch")]
        [InlineData(MailProtocol.Pop3, MailSecurity.None, 995, true, "PortModeMismatch")]
        [InlineData(MailProtocol.Pop3, MailSecurity.None, null, false, "PlaintextRefused")]
        public void AModeIsNeverWrittenWithAnotherModesPort(MailProtocol protocol, MailSecurity security, int? port, bool force, string errorId) =>
            Assert.Equal(errorId, Assert.Throws<ClientConfigException>(() => PortModeRule.PortFor(protocol, security, port, force, "t")).ErrorId);

        [Fact]
        public void AccountsWithAPortThatContradictsTheModeAreFlagged()
        {
            var rc = _box.Write(".mbsyncrc", "IMAPAccount a\nHost imap.example.com\nPort 143\nSSLType IMAPS\n");
            Assert.Contains(_box.Account(rc, "a").Findings, f => f.Id == "MTLS082");
        }

        [Fact]
        public void UndoPutsBackTheStateBeforeTheCommandAndKeepsTheCurrentFileAside()
        {
            var rc = _box.Write(".msmtprc", Rc);
            _box.Switch(rc, "work", MailSecurity.Implicit);
            var switched = File.ReadAllText(rc);

            var changes = _box.Engine.Undo(rc, force: false).Changes;
            Assert.Equal(Rc, File.ReadAllText(rc));
            Assert.Contains(changes, c => c.Setting == "Security" && c.OldValue == "Implicit" && c.NewValue == "None");
            Assert.Equal(switched, File.ReadAllText(Assert.Single(Directory.GetFiles(_box.Home, ".msmtprc.*.mailtls-undo-backup"))));

            // Undoing again finds the file as the backup has it: nothing changes.
            var before = _box.Snapshot();
            Assert.Empty(_box.Engine.Undo(rc, force: false).Restored);
            Assert.Equal(before, _box.Snapshot());
            Assert.Equal("BackupNotFound", Assert.Throws<ClientConfigException>(() => _box.Engine.Undo(_box.Write(".mbsyncrc", "x"), false)).ErrorId);
        }

        [UnixFact]
        [UnsupportedOSPlatform("windows")]
        public void UndoRefusesAReadOnlyFileToo()
        {
            var rc = _box.Write(".msmtprc", Rc);
            _box.Switch(rc, "work", MailSecurity.Implicit);
            var switched = File.ReadAllText(rc);
            File.SetUnixFileMode(rc, UnixFileMode.UserRead);
            Assert.Equal("ConfigReadOnly", Assert.Throws<ClientConfigException>(() => _box.Engine.Undo(rc, false)).ErrorId);
            Assert.Equal(switched, File.ReadAllText(rc));
        }

        private static string Run(string tool, params string[] arguments)
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return output;
        }
    }
}
