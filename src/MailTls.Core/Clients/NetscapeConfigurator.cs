using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MailTls.Clients
{
    /// <summary>
    /// Netscape 6.x/7.x Mail: Mozilla-suite profiles (<c>~/.mozilla/NAME/SALT.slt/prefs.js</c>, on Windows
    /// <c>%APPDATA%\Mozilla\Profiles\NAME\SALT.slt</c>) with the mailnews prefs of their day: incoming servers have
    /// only "use secure connection (SSL)" (the boolean <c>isSecure</c>), SMTP the four-way <c>try_ssl</c>. Netscape
    /// Communicator 4.x's own preferences file is read and written by <see cref="Netscape4Prefs"/>.
    /// </summary>
    internal sealed class NetscapeConfigurator : MozillaConfigurator
    {
        public NetscapeConfigurator()
            : base(MailClient.Netscape, SuiteRoots)
        {
        }

        protected override bool IncomingStartTls => false;

        public override IEnumerable<ConfigLocation> Locate(UserHome home)
        {
            var suite = SuiteRoots(home).Where(Directory.Exists)
                .SelectMany(root => Directory.GetDirectories(root))
                .SelectMany(named => Directory.GetDirectories(named, "*.slt"))
                .Where(salt => File.Exists(Path.Combine(salt, "prefs.js")))
                .OrderBy(p => p, System.StringComparer.Ordinal)
                .Select(salt => Recognize(salt)!);
            var communicator = home.Combine(".netscape", "preferences.js");
            return File.Exists(communicator) ? suite.Concat(new[] { new ConfigLocation(communicator) }) : suite;
        }

        public override ConfigLocation? Recognize(string path)
        {
            var full = Path.GetFullPath(path);
            var communicator = Directory.Exists(full) ? Path.Combine(full, "preferences.js") : full;
            if ((Path.GetFileName(communicator) == "preferences.js" || Path.GetFileName(communicator) == "prefs.js") && Netscape4Prefs.IsNetscape4(communicator))
            {
                return new ConfigLocation(communicator);
            }

            var folder = Directory.Exists(full) ? full : Path.GetDirectoryName(full) ?? full;
            return folder.EndsWith(".slt", System.StringComparison.Ordinal) ? base.Recognize(path) : null;
        }

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location) =>
            IsCommunicator(location) ? Netscape4Prefs.Read(location) : base.Read(location);

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target) =>
            IsCommunicator(location) ? Netscape4Prefs.Plan(location, current, target) : base.Plan(location, current, target);

        public override IEnumerable<string> Caveats(ConfigLocation location, AccountRecord account, AccountTarget target) =>
            IsCommunicator(location) ? Netscape4Prefs.Caveats(location, target) : base.Caveats(location, account, target);

        public override string? RunningReason(ConfigLocation location) =>
            IsCommunicator(location) ? (RunningProcess.Find("netscape", "netscape-communicator") != null ? "Netscape Communicator is running." : null) : base.RunningReason(location);

        /// <summary>Netscape 4.x: one preferences file, no profile folder.</summary>
        private static bool IsCommunicator(ConfigLocation location) => location.Profile == null;

        private static IEnumerable<string> SuiteRoots(UserHome home) => new[]
        {
            home.Combine(".mozilla"),
            Path.Combine(home.AppData, "Mozilla", "Profiles"),
            home.Library("Mozilla", "Profiles"),
        };
    }
}
