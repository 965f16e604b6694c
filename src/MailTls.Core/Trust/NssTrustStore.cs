using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Files;
using MailTls.Tls;

namespace MailTls.Trust
{
    /// <summary>
    /// An NSS certificate database (a Thunderbird, SeaMonkey or Firefox profile, or ~/.pki/nssdb), driven with NSS's
    /// certutil. MailTls's roots carry the nickname "MailTls - &lt;subject CN&gt; &lt;sha256 prefix&gt;", trusted as a CA for
    /// TLS servers ("C,,"). The database files are backed up before every change.
    /// </summary>
    public sealed class NssTrustStore : ITrustStore
    {
        // No colon: NSS reads "a:b" as token "a", nickname "b".
        private const string NicknamePrefix = "MailTls - ";
        private readonly string _directory;
        private readonly string _tool;

        /// <summary>The database in <paramref name="directory"/> (cert9.db: "sql:"; an old cert8.db: "dbm:").</summary>
        /// <param name="directory">The profile or database folder.</param>
        /// <param name="tool">certutil.</param>
        public NssTrustStore(string directory, string tool = "certutil")
        {
            _directory = Path.GetFullPath(directory);
            _tool = tool;
        }

        /// <inheritdoc />
        public string Name => "Nss";

        /// <inheritdoc />
        public string Location => _directory;

        private string Database => (File.Exists(Path.Combine(_directory, "cert8.db")) && !File.Exists(Path.Combine(_directory, "cert9.db")) ? "dbm:" : "sql:") + _directory;

        /// <inheritdoc />
        public async Task<IReadOnlyList<MailRootCaEntry>> ListAsync(CancellationToken cancellationToken)
        {
            var entries = new List<MailRootCaEntry>();
            foreach (var nickname in await NicknamesAsync(cancellationToken).ConfigureAwait(false))
            {
                var certificate = await ExportAsync(nickname, cancellationToken).ConfigureAwait(false);
                if (certificate != null)
                {
                    entries.Add(new MailRootCaEntry(Name, _directory + " : " + nickname, certificate, CertificateEvaluator.Sha256Hex(certificate.RawData)));
                }
            }

            return entries;
        }

        /// <inheritdoc />
        public async Task<StoreChange> AddAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            var nickname = NicknameFor(certificate);
            var isCa = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault()?.CertificateAuthority == true;
            if ((await NicknamesAsync(cancellationToken).ConfigureAwait(false)).Contains(nickname) && await TrustedAsync(nickname, isCa, cancellationToken).ConfigureAwait(false))
            {
                return StoreChange.AlreadyDone;
            }

            BackUp();
            var file = Path.Combine(Path.GetTempPath(), "mailtls-" + Guid.NewGuid().ToString("N") + ".pem");
            File.WriteAllText(file, DebianTrustStore.Pem(certificate));
            try
            {
                // A CA is trusted to issue TLS server certificates ("C,,"); an allowed self-signed server certificate is
                // trusted as itself, a peer ("P,,").
                await RunAsync(cancellationToken, "-A", "-d", Database, "-n", nickname, "-t", isCa ? "C,," : "P,,", "-i", file).ConfigureAwait(false);
            }
            finally
            {
                File.Delete(file);
            }

            if (!await TrustedAsync(nickname, isCa, cancellationToken).ConfigureAwait(false))
            {
                throw new TrustStoreException("StoreUpdateUnverified", _directory, $"certutil added '{nickname}', but does not verify it as trusted.");
            }

            return StoreChange.Done;
        }

        /// <inheritdoc />
        public async Task<StoreChange> RemoveAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            var nickname = NicknameFor(certificate);
            if (!(await NicknamesAsync(cancellationToken).ConfigureAwait(false)).Contains(nickname))
            {
                return StoreChange.AlreadyDone;
            }

            BackUp();
            await RunAsync(cancellationToken, "-D", "-d", Database, "-n", nickname).ConfigureAwait(false);
            return StoreChange.Done;
        }

        internal static string NicknameFor(X509Certificate2 certificate)
        {
            var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            return NicknamePrefix + (string.IsNullOrEmpty(name) ? "root" : name) + " " + CertificateEvaluator.Sha256Hex(certificate.RawData).Substring(0, 8);
        }

        private async Task<IReadOnlyList<string>> NicknamesAsync(CancellationToken cancellationToken)
        {
            var listing = await RunAsync(cancellationToken, "-L", "-d", Database).ConfigureAwait(false);
            // certutil -L prints "<nickname>   <trust flags>" per line after a header.
            return listing.Output.Split('\n')
                .Select(line => Regex.Match(line, @"^(MailTls - .*?)\s+[A-Za-z]*,[A-Za-z]*,[A-Za-z]*\s*$"))
                .Where(m => m.Success)
                .Select(m => m.Groups[1].Value)
                .ToArray();
        }

        private async Task<bool> TrustedAsync(string nickname, bool isCa, CancellationToken cancellationToken)
        {
            // -V: verify against this database's trust settings, as an SSL CA (L) or an SSL server (V).
            var result = await ToolRunner.RunAsync(_tool, new[] { "-V", "-d", Database, "-n", nickname, "-u", isCa ? "L" : "V" }, cancellationToken).ConfigureAwait(false);
            return result.ExitCode == 0;
        }

        private async Task<X509Certificate2?> ExportAsync(string nickname, CancellationToken cancellationToken)
        {
            var result = await ToolRunner.RunAsync(_tool, new[] { "-L", "-d", Database, "-n", nickname, "-a" }, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                return null;
            }

            var file = Path.Combine(Path.GetTempPath(), "mailtls-" + Guid.NewGuid().ToString("N") + ".pem");
            File.WriteAllText(file, result.Output);
            try
            {
                return CertificateFile.Load(file).FirstOrDefault();
            }
            finally
            {
                File.Delete(file);
            }
        }

        private void BackUp()
        {
            foreach (var name in new[] { "cert9.db", "key4.db", "pkcs11.txt", "cert8.db", "key3.db", "secmod.db" })
            {
                var path = Path.Combine(_directory, name);
                if (File.Exists(path))
                {
                    AtomicFile.Backup(path, Path.Combine(_directory, "mailtls-backups"));
                }
            }
        }

        private async Task<ToolResult> RunAsync(CancellationToken cancellationToken, params string[] arguments)
        {
            var result = await ToolRunner.RunAsync(_tool, arguments, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new TrustStoreException("StoreUpdateFailed", _directory, $"certutil {arguments[0]} failed ({result.ExitCode}): {(result.Error + result.Output).Trim()}");
            }

            return result;
        }
    }
}
