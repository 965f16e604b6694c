using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography.X509Certificates;

namespace MailTls.Trust
{
    /// <summary>
    /// Debian/Ubuntu's system store: MailTls's file in the local CA folder, then update-ca-certificates, which rebuilds
    /// /etc/ssl/certs and its bundle. The folders and the tool's options can be pointed elsewhere (the tests run the
    /// real tool on a sandbox; nothing else needs to).
    /// </summary>
    public sealed class DebianTrustStore : AnchorFolderTrustStore
    {
        private readonly DebianLayout _layout;

        /// <summary>The store at the system's own paths.</summary>
        public DebianTrustStore()
            : this(new DebianLayout())
        {
        }

        /// <summary>The store at <paramref name="layout"/>.</summary>
        public DebianTrustStore(DebianLayout layout)
            : base(layout.LocalCertificates, layout.Backups) => _layout = layout;

        /// <inheritdoc />
        public override string Bundle => Path.Combine(_layout.EtcCertificates, "ca-certificates.crt");

        /// <inheritdoc />
        protected override string ToolName => "update-ca-certificates";

        /// <inheritdoc />
        protected override string Tool => _layout.Tool;

        /// <inheritdoc />
        protected override IReadOnlyList<string> UpdateArguments(bool removed)
        {
            // --fresh: Debian's way to drop the links of removed local certificates.
            var arguments = new List<string>();
            if (removed)
            {
                arguments.Add("--fresh");
            }

            if (!_layout.IsSystem)
            {
                arguments.AddRange(new[]
                {
                    "--certsconf", _layout.CertificatesConf, "--certsdir", _layout.Certificates, "--localcertsdir", _layout.LocalCertificates,
                    "--etccertsdir", _layout.EtcCertificates, "--hooksdir", _layout.Hooks,
                });
            }

            return arguments;
        }

        /// <inheritdoc />
        protected override bool IsTrusted(string path, X509Certificate2 certificate) => File.Exists(LinkFor(path)) && FileHas(Bundle, certificate);

        // update-ca-certificates links each trusted file into the certificates folder as <name>.pem: our own entry's
        // link says whether *our* file is trusted, whatever other copies of the same CA the system has.
        /// <inheritdoc />
        protected override string? StillTrustedThrough(string path, X509Certificate2 certificate) => File.Exists(LinkFor(path)) ? LinkFor(path) : null;

        /// <inheritdoc />
        protected override void BeforeUpdate()
        {
            // A bundle.new left by an interrupted earlier run would be appended to, not replaced: remove it first.
            var stale = Bundle + ".new";
            if (File.Exists(stale))
            {
                File.Delete(stale);
            }
        }

        private string LinkFor(string path) => Path.Combine(_layout.EtcCertificates, Path.GetFileNameWithoutExtension(path) + ".pem");
    }

    /// <summary>Where Debian's ca-certificates keeps things; the defaults are the system's own.</summary>
    public sealed class DebianLayout
    {
        /// <summary>The system's layout.</summary>
        public DebianLayout()
        {
        }

        /// <summary>The same layout under another root (for sandboxes).</summary>
        /// <param name="root">A folder standing for "/".</param>
        public DebianLayout(string root)
        {
            CertificatesConf = Path.Combine(root, "etc/ca-certificates.conf");
            Certificates = Path.Combine(root, "usr/share/ca-certificates");
            LocalCertificates = Path.Combine(root, "usr/local/share/ca-certificates");
            EtcCertificates = Path.Combine(root, "etc/ssl/certs");
            Hooks = Path.Combine(root, "etc/ca-certificates/update.d");
            Backups = Path.Combine(root, "var/backups/mailtls");
            IsSystem = false;
        }

        /// <summary>The list of enabled distribution certificates.</summary>
        public string CertificatesConf { get; } = "/etc/ca-certificates.conf";

        /// <summary>The distribution's certificates.</summary>
        public string Certificates { get; } = "/usr/share/ca-certificates";

        /// <summary>The local CA folder, where MailTls puts its files.</summary>
        public string LocalCertificates { get; } = "/usr/local/share/ca-certificates";

        /// <summary>The folder update-ca-certificates fills (links and the bundle).</summary>
        public string EtcCertificates { get; } = "/etc/ssl/certs";

        /// <summary>The hooks update-ca-certificates runs (e.g. for Java).</summary>
        public string Hooks { get; } = "/etc/ca-certificates/update.d";

        /// <summary>Where removed and replaced files are kept (never a folder the tool reads).</summary>
        public string Backups { get; } = "/var/backups/mailtls";

        /// <summary>The tool that rebuilds the store.</summary>
        public string Tool { get; set; } = "update-ca-certificates";

        internal bool IsSystem { get; } = true;
    }
}
