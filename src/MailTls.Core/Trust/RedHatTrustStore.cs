using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;

namespace MailTls.Trust
{
    /// <summary>
    /// RHEL, Fedora, CentOS and their kin: MailTls's file in the ca-trust anchors folder, then "update-ca-trust extract",
    /// which rebuilds the extracted bundles (tls-ca-bundle.pem is what OpenSSL and curl read there) from every source.
    /// </summary>
    public sealed class RedHatTrustStore : AnchorFolderTrustStore
    {
        private readonly RedHatLayout _layout;

        /// <summary>The store at the system's own paths.</summary>
        public RedHatTrustStore()
            : this(new RedHatLayout())
        {
        }

        /// <summary>The store at <paramref name="layout"/>.</summary>
        public RedHatTrustStore(RedHatLayout layout)
            : base(layout.Anchors, layout.Backups) => _layout = layout;

        /// <inheritdoc />
        public override string Bundle => Path.Combine(_layout.Extracted, "pem", "tls-ca-bundle.pem");

        /// <inheritdoc />
        protected override string ToolName => "update-ca-trust";

        /// <inheritdoc />
        protected override string Tool => _layout.Tool;

        /// <inheritdoc />
        protected override IReadOnlyList<string> UpdateArguments(bool removed) =>
            _layout.IsSystem ? new[] { "extract" } : new[] { "extract", "--output", _layout.Extracted };

        /// <inheritdoc />
        protected override bool IsTrusted(string path, X509Certificate2 certificate) => FileHas(Bundle, certificate);

        /// <inheritdoc />
        protected override string? StillTrustedThrough(string path, X509Certificate2 certificate)
        {
            // The bundle is made from every source: it may rightly keep the CA when another anchor file holds it too.
            return FileHas(Bundle, certificate) && !OtherSourcesHave(certificate) ? Bundle : null;
        }

        private bool OtherSourcesHave(X509Certificate2 certificate) =>
            new[] { _layout.Anchors, _layout.DistributionAnchors }
                .Where(Directory.Exists)
                .SelectMany(Directory.GetFiles)
                .Any(file => FileHas(file, certificate));
    }

    /// <summary>Where Red Hat's ca-trust keeps things; the defaults are the system's own.</summary>
    public sealed class RedHatLayout
    {
        /// <summary>The system's layout.</summary>
        public RedHatLayout()
        {
        }

        /// <summary>The same layout under another root (for sandboxes).</summary>
        /// <param name="root">A folder standing for "/".</param>
        public RedHatLayout(string root)
        {
            Anchors = Path.Combine(root, "etc/pki/ca-trust/source/anchors");
            DistributionAnchors = Path.Combine(root, "usr/share/pki/ca-trust-source/anchors");
            Extracted = Path.Combine(root, "etc/pki/ca-trust/extracted");
            Backups = Path.Combine(root, "var/lib/mailtls/backups");
            IsSystem = false;
        }

        /// <summary>The administrator's anchors folder, where MailTls puts its files.</summary>
        public string Anchors { get; } = "/etc/pki/ca-trust/source/anchors";

        /// <summary>The distribution's anchors.</summary>
        public string DistributionAnchors { get; } = "/usr/share/pki/ca-trust-source/anchors";

        /// <summary>The folder update-ca-trust extracts the bundles into.</summary>
        public string Extracted { get; } = "/etc/pki/ca-trust/extracted";

        /// <summary>Where removed and replaced files are kept (never a folder the tool reads).</summary>
        public string Backups { get; } = "/var/lib/mailtls/backups";

        /// <summary>The tool that rebuilds the store.</summary>
        public string Tool { get; set; } = "update-ca-trust";

        internal bool IsSystem { get; } = true;
    }
}
