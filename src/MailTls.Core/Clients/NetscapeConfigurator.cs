using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MailTls.Clients
{
    /// <summary>
    /// Netscape 6.x/7.x Mail: Mozilla-suite profiles (<c>~/.mozilla/NAME/SALT.slt/prefs.js</c>, on Windows
    /// <c>%APPDATA%\Mozilla\Profiles\NAME\SALT.slt</c>) with the mailnews prefs of their day: incoming servers have
    /// only "use secure connection (SSL)" (the boolean <c>isSecure</c>), SMTP the four-way <c>try_ssl</c>.
    /// </summary>
    internal sealed class NetscapeConfigurator : MozillaConfigurator
    {
        public NetscapeConfigurator()
            : base(MailClient.Netscape, SuiteRoots)
        {
        }

        protected override bool IncomingStartTls => false;

        public override IEnumerable<ConfigLocation> Locate(UserHome home) =>
            SuiteRoots(home).Where(Directory.Exists)
                .SelectMany(root => Directory.GetDirectories(root))
                .SelectMany(named => Directory.GetDirectories(named, "*.slt"))
                .Where(salt => File.Exists(Path.Combine(salt, "prefs.js")))
                .OrderBy(p => p, System.StringComparer.Ordinal)
                .Select(salt => Recognize(salt)!);

        public override ConfigLocation? Recognize(string path)
        {
            var folder = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path)) ?? path;
            return folder.EndsWith(".slt", System.StringComparison.Ordinal) ? base.Recognize(path) : null;
        }

        private static IEnumerable<string> SuiteRoots(UserHome home) => new[]
        {
            home.Combine(".mozilla"),
            Path.Combine(home.AppData, "Mozilla", "Profiles"),
            home.Library("Mozilla", "Profiles"),
        };
    }
}
