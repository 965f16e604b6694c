using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Tls;

namespace MailTls.Trust
{
    /// <summary>Runs macOS's security tool; the seam the tests replace with a simulation of it.</summary>
    internal interface ISecurityTool
    {
        Task<ToolResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken);
    }

    /// <summary>/usr/bin/security itself.</summary>
    internal sealed class SecurityTool : ISecurityTool
    {
        public Task<ToolResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
            ToolRunner.RunAsync("/usr/bin/security", arguments, cancellationToken);
    }

    /// <summary>
    /// A macOS keychain with trust settings, driven with the security tool: System is the System keychain with the
    /// admin trust settings (an administrator must authorise, which needs an interactive session since macOS 11), User
    /// the login keychain with the user's. A certificate's label cannot be set from the command line, so MailTls marks
    /// its roots in the keychain itself: beside each one, a generic password item with service "MailTls root CA" and the
    /// SHA-256 fingerprint as account. Roots that the user placed (no marker) are never changed or removed.
    /// </summary>
    public sealed class MacKeychainStore : ITrustStore
    {
        internal const string MarkerService = "MailTls root CA";
        private readonly bool _admin;
        private readonly ISecurityTool _tool;

        /// <summary>The System (admin) or User store, in <paramref name="keychain"/> or the domain's own keychain.</summary>
        public MacKeychainStore(bool system, string? keychain = null)
            : this(system, keychain, new SecurityTool())
        {
        }

        internal MacKeychainStore(bool system, string? keychain, ISecurityTool tool)
        {
            _admin = system;
            _tool = tool;
            Location = keychain ?? (system
                ? "/Library/Keychains/System.keychain"
                : Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? string.Empty, "Library/Keychains/login.keychain-db"));
        }

        /// <inheritdoc />
        public string Name => _admin ? "System" : "User";

        /// <inheritdoc />
        public string Location { get; }

        /// <inheritdoc />
        public async Task<IReadOnlyList<MailRootCaEntry>> ListAsync(CancellationToken cancellationToken)
        {
            var marked = await MarkersAsync(cancellationToken).ConfigureAwait(false);
            return (await CertificatesAsync(cancellationToken).ConfigureAwait(false))
                .Where(c => marked.Contains(Sha256(c)))
                .Select(c => new MailRootCaEntry(Name, Location + " : " + Sha256(c), c, Sha256(c), keychainPath: Location))
                .ToArray();
        }

        /// <inheritdoc />
        public async Task<StoreChange> AddAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            var fingerprint = Sha256(certificate);
            var present = (await CertificatesAsync(cancellationToken).ConfigureAwait(false)).Any(c => Sha256(c) == fingerprint);
            var ours = (await MarkersAsync(cancellationToken).ConfigureAwait(false)).Contains(fingerprint);
            using var file = new TemporaryPem(certificate);
            var trusted = present && await TrustedAsync(file.Path, cancellationToken).ConfigureAwait(false);
            if (trusted)
            {
                // Trusted already: ours (nothing to do), or the user's own, which MailTls leaves as it is.
                return StoreChange.AlreadyDone;
            }

            if (present && !ours)
            {
                throw new TrustStoreException("StoreConflict", Location,
                    $"The certificate is already in '{Location}', placed by someone else and not trusted; MailTls leaves that item alone. Trust it in Keychain Access, or delete it there first.");
            }

            // From here on the keychain changes: no cancellation until it is done and checked, or undone.
            try
            {
                await RunAsync(Domain("add-trusted-cert").Concat(new[] { "-r", "trustRoot", "-p", "ssl", "-k", Location, file.Path }).ToArray()).ConfigureAwait(false);
                await RunAsync("add-generic-password", "-U", "-a", fingerprint, "-s", MarkerService, "-l", "MailTls - " + certificate.GetNameInfo(X509NameType.SimpleName, false),
                    "-w", fingerprint, Location).ConfigureAwait(false);
                if (!await TrustedAsync(file.Path, CancellationToken.None).ConfigureAwait(false))
                {
                    throw new TrustStoreException("StoreUpdateUnverified", Location, "security added the certificate, but verify-cert does not find it trusted for TLS servers.");
                }
            }
            catch
            {
                await UndoAsync(file.Path, fingerprint, removeCertificate: !present).ConfigureAwait(false);
                throw;
            }

            return StoreChange.Done;
        }

        /// <inheritdoc />
        public async Task<StoreChange> RemoveAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            var fingerprint = Sha256(certificate);
            if (!(await MarkersAsync(cancellationToken).ConfigureAwait(false)).Contains(fingerprint))
            {
                return StoreChange.AlreadyDone;
            }

            using var file = new TemporaryPem(certificate);
            await UndoAsync(file.Path, fingerprint, removeCertificate: true, strict: true).ConfigureAwait(false);
            if ((await CertificatesAsync(CancellationToken.None).ConfigureAwait(false)).Any(c => Sha256(c) == fingerprint))
            {
                throw new TrustStoreException("StoreUpdateUnverified", Location, "security deleted the certificate, but the keychain still lists it.");
            }

            return StoreChange.Done;
        }

        /// <summary>Takes the trust setting, the certificate and the marker out (each one that is there).</summary>
        private async Task UndoAsync(string file, string fingerprint, bool removeCertificate, bool strict = false)
        {
            var steps = new List<string[]> { Domain("remove-trusted-cert").Concat(new[] { file }).ToArray() };
            if (removeCertificate)
            {
                steps.Add(new[] { "delete-certificate", "-Z", fingerprint, Location });
            }

            steps.Add(new[] { "delete-generic-password", "-a", fingerprint, "-s", MarkerService, Location });
            foreach (var step in steps)
            {
                var result = await _tool.RunAsync(step, CancellationToken.None).ConfigureAwait(false);
                if (strict && result.ExitCode != 0 && !IsNotFound(result))
                {
                    throw Failure(step[0], result);
                }
            }
        }

        private string[] Domain(string command) => _admin ? new[] { command, "-d" } : new[] { command };

        /// <summary>Whether macOS trusts the certificate as a root for TLS servers (offline: no revocation fetch).</summary>
        private async Task<bool> TrustedAsync(string file, CancellationToken cancellationToken) =>
            (await _tool.RunAsync(new[] { "verify-cert", "-c", file, "-l", "-L", "-R", "offline", "-p", "ssl", "-k", Location }, cancellationToken).ConfigureAwait(false)).ExitCode == 0;

        /// <summary>The SHA-256 fingerprints MailTls marked in this keychain.</summary>
        private async Task<HashSet<string>> MarkersAsync(CancellationToken cancellationToken)
        {
            // dump-keychain prints each item's attributes (no secrets): "class", then lines such as "acct"<blob>="…".
            var dump = await RunAsync(cancellationToken, "dump-keychain", Location).ConfigureAwait(false);
            var marked = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in Regex.Split(dump.Output, @"(?m)^(?=keychain: )"))
            {
                if (Attribute(item, "svce") == MarkerService && Attribute(item, "acct") is string account && Regex.IsMatch(account, "^[0-9A-F]{64}$"))
                {
                    marked.Add(account);
                }
            }

            return marked;
        }

        private static string? Attribute(string item, string name)
        {
            var match = Regex.Match(item, "\"" + name + "\"<blob>=\"([^\"]*)\"");
            return match.Success ? match.Groups[1].Value : null;
        }

        /// <summary>Every certificate in this keychain.</summary>
        private async Task<IReadOnlyList<X509Certificate2>> CertificatesAsync(CancellationToken cancellationToken)
        {
            var listing = await RunAsync(cancellationToken, "find-certificate", "-a", "-p", Location).ConfigureAwait(false);
            return listing.Output.Trim().Length == 0
                ? Array.Empty<X509Certificate2>()
                : CertificateFile.Parse(Encoding.ASCII.GetBytes(listing.Output), "security find-certificate " + Location);
        }

        private Task<ToolResult> RunAsync(params string[] arguments) => RunAsync(CancellationToken.None, arguments);

        private async Task<ToolResult> RunAsync(CancellationToken cancellationToken, params string[] arguments)
        {
            var result = await _tool.RunAsync(arguments, cancellationToken).ConfigureAwait(false);
            return result.ExitCode == 0 ? result : throw Failure(arguments[0], result);
        }

        private TrustStoreException Failure(string command, ToolResult result)
        {
            var text = (result.Error + result.Output).Trim();
            return text.IndexOf("authorization", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("user interaction", StringComparison.OrdinalIgnoreCase) >= 0
                ? new TrustStoreException("StorePermissionDenied", Location,
                    $"macOS refused to change the {Name} trust settings ({text}). " + (_admin
                        ? "Run PowerShell with sudo in a logged-in session, where macOS can ask an administrator to authorise the change."
                        : "Run it in your logged-in session with the login keychain unlocked."))
                : new TrustStoreException("StoreUpdateFailed", Location, $"security {command} failed ({result.ExitCode}): {text}");
        }

        private static bool IsNotFound(ToolResult result) =>
            new[] { "could not be found", "No Trust Settings were found", "Unable to delete certificate matching" }
                .Any(text => (result.Error + result.Output).IndexOf(text, StringComparison.OrdinalIgnoreCase) >= 0);

        private static string Sha256(X509Certificate2 certificate) => CertificateEvaluator.Sha256Hex(certificate.RawData);
    }
}
