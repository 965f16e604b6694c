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
        private const int KeptBackups = 5;
        private const int ParallelExports = 4;
        private readonly string _directory;
        private readonly string _tool;

        /// <summary>The database in <paramref name="directory"/> (cert9.db: "sql:"; an old cert8.db: "dbm:").</summary>
        /// <param name="directory">The profile or database folder.</param>
        /// <param name="tool">certutil.</param>
        /// <param name="name">The store name users see: Nss for a profile, User for ~/.pki/nssdb.</param>
        public NssTrustStore(string directory, string tool = "certutil", string name = "Nss")
        {
            _directory = Path.GetFullPath(directory);
            _tool = tool;
            Name = name;
        }

        /// <inheritdoc />
        public string Name { get; }

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
                    entries.Add(new MailRootCaEntry(Name, _directory + " : " + nickname, certificate, CertificateEvaluator.Sha256Hex(certificate.RawData), _directory));
                }
            }

            return entries;
        }

        /// <inheritdoc />
        public async Task<StoreChange> AddAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            var nickname = NicknameFor(certificate);
            var isCa = CertificateFacts.IsCa(certificate);
            var present = await FindAsync(certificate, cancellationToken).ConfigureAwait(false);
            if (present == nickname && await TrustedAsync(nickname, isCa, cancellationToken).ConfigureAwait(false))
            {
                return StoreChange.AlreadyDone;
            }

            if (present != null && present != nickname)
            {
                // NSS keeps one nickname per certificate: adding ours would only rewrite the user's own trust settings.
                throw new TrustStoreException("StoreConflict", _directory,
                    $"The certificate is already in '{_directory}' as '{present}', with its own trust settings; MailTls leaves that entry alone. Change its trust in the mail client's certificate manager, or delete it there first.");
            }

            var backups = BackUp();
            using var file = new TemporaryPem(certificate);
            try
            {
                // From here on the database changes: no cancellation until it is done and checked.
                // A CA is trusted to issue TLS server certificates ("C,,"); an allowed self-signed server certificate is
                // trusted as itself, a peer ("P,,").
                await RunAsync(CancellationToken.None, "-A", "-d", Database, "-n", nickname, "-t", isCa ? "C,," : "P,,", "-i", file.Path).ConfigureAwait(false);
                if (!await TrustedAsync(nickname, isCa, CancellationToken.None).ConfigureAwait(false))
                {
                    throw new TrustStoreException("StoreUpdateUnverified", _directory, $"certutil added '{nickname}', but does not verify it as trusted.");
                }
            }
            catch
            {
                Restore(backups);
                throw;
            }

            return StoreChange.Done;
        }

        /// <inheritdoc />
        public async Task<StoreChange> RemoveAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            var nickname = NicknameFor(certificate);
            if (await FindAsync(certificate, cancellationToken).ConfigureAwait(false) != nickname)
            {
                return StoreChange.AlreadyDone;
            }

            var backups = BackUp();
            try
            {
                await RunAsync(CancellationToken.None, "-D", "-d", Database, "-n", nickname).ConfigureAwait(false);
                if ((await NicknamesAsync(CancellationToken.None).ConfigureAwait(false)).Contains(nickname))
                {
                    throw new TrustStoreException("StoreUpdateUnverified", _directory, $"certutil deleted '{nickname}', but it is still listed.");
                }
            }
            catch
            {
                Restore(backups);
                throw;
            }

            return StoreChange.Done;
        }

        /// <summary>The nickname the certificate has in this database (MailTls's or anyone's), or null.</summary>
        private async Task<string?> FindAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            // Ours first: one export answers the common case (already imported, or removing it again).
            var nicknames = await NicknamesAsync(cancellationToken, all: true).ConfigureAwait(false);
            var ours = NicknameFor(certificate);
            if (nicknames.Contains(ours) && Same(await ExportAsync(ours, cancellationToken).ConfigureAwait(false), certificate))
            {
                return ours;
            }

            // A profile caches every intermediate it has seen: export the others a few at a time, not one by one.
            var others = nicknames.Where(n => n != ours).ToArray();
            for (var start = 0; start < others.Length; start += ParallelExports)
            {
                var batch = others.Skip(start).Take(ParallelExports).ToArray();
                var stored = await Task.WhenAll(batch.Select(n => ExportAsync(n, cancellationToken))).ConfigureAwait(false);
                var match = Array.FindIndex(stored, c => Same(c, certificate));
                if (match >= 0)
                {
                    return batch[match];
                }
            }

            return null;
        }

        private static bool Same(X509Certificate2? stored, X509Certificate2 certificate) => stored != null && stored.RawData.SequenceEqual(certificate.RawData);

        internal static string NicknameFor(X509Certificate2 certificate)
        {
            var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            // No colon or control character: NSS would read "a:b" as token "a".
            var clean = new string((string.IsNullOrEmpty(name) ? "root" : name).Select(c => c == ':' || char.IsControl(c) ? '-' : c).ToArray());
            return NicknamePrefix + clean + " " + CertificateEvaluator.Sha256Hex(certificate.RawData).Substring(0, 8);
        }

        /// <summary>MailTls's nicknames in the database, or with <paramref name="all"/> every nickname.</summary>
        private async Task<IReadOnlyList<string>> NicknamesAsync(CancellationToken cancellationToken, bool all = false)
        {
            var listing = await RunAsync(cancellationToken, "-L", "-d", Database).ConfigureAwait(false);
            // certutil -L prints a header, then "<nickname>   <trust flags>" per line.
            return listing.Output.Split('\n')
                .Select(line => Regex.Match(line.TrimEnd('\r'), @"^(\S.*?)\s+[A-Za-z]*,[A-Za-z]*,[A-Za-z]*\s*$"))
                .Where(m => m.Success && m.Groups[1].Value != "Certificate Nickname")
                .Select(m => m.Groups[1].Value)
                .Where(n => all || n.StartsWith(NicknamePrefix, StringComparison.Ordinal))
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

            return CertificateFile.Parse(System.Text.Encoding.ASCII.GetBytes(result.Output), $"certutil -L -n {nickname}").FirstOrDefault();
        }

        /// <summary>Copies the database files aside (keeping the last few) and says where, for <see cref="Restore"/>.</summary>
        private IReadOnlyList<(string File, string Backup)> BackUp()
        {
            var folder = Path.Combine(_directory, "mailtls-backups");
            var made = new List<(string, string)>();
            foreach (var name in new[] { "cert9.db", "key4.db", "pkcs11.txt", "cert8.db", "key3.db", "secmod.db" })
            {
                var path = Path.Combine(_directory, name);
                if (File.Exists(path))
                {
                    made.Add((path, AtomicFile.Backup(path, folder)));
                    foreach (var old in Directory.GetFiles(folder, name + ".*.mailtls-backup").OrderByDescending(f => f, StringComparer.Ordinal).Skip(KeptBackups))
                    {
                        File.Delete(old);
                    }
                }
            }

            return made;
        }

        private static void Restore(IReadOnlyList<(string File, string Backup)> backups)
        {
            foreach (var (file, backup) in backups)
            {
                File.Copy(backup, file, overwrite: true);
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
