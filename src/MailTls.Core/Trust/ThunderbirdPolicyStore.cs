using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Files;
using MailTls.Tls;

namespace MailTls.Trust
{
    /// <summary>
    /// Thunderbird's enterprise policies.json: the certificate goes into a file "mailtls-&lt;sha256 prefix&gt;.crt" beside
    /// the policy file, and its absolute path into policies.Certificates.Install, which Thunderbird imports into every
    /// profile it starts (as a CA for TLS servers and e-mail). MailTls's entries are the Install paths with that file
    /// name; every other policy and entry is kept. Thunderbird reads one policies.json only (the one in /etc first on
    /// Linux), so the store is the file Thunderbird would read.
    /// </summary>
    public sealed class ThunderbirdPolicyStore : ITrustStore
    {
        /// <summary>The store in <paramref name="policyFile"/> (which need not exist yet).</summary>
        public ThunderbirdPolicyStore(string policyFile) => Location = Path.GetFullPath(policyFile);

        /// <inheritdoc />
        public string Name => "Thunderbird";

        /// <inheritdoc />
        public string Location { get; }

        /// <summary>
        /// The policies.json Thunderbird reads on this machine: an existing /etc/thunderbird/policies/policies.json,
        /// else an existing one in the installation's distribution folder, else a new one where this system keeps it.
        /// </summary>
        /// <exception cref="TrustStoreException">Thunderbird is not installed here (StoreNotFound).</exception>
        public static string FindPolicyFile()
        {
            var installations = Installations().Where(Directory.Exists).ToArray();
            var system = System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux)
                ? "/etc/thunderbird/policies/policies.json"
                : null;
            var existing = new[] { system }.Concat(installations.Select(i => Path.Combine(i, "distribution", "policies.json")))
                .FirstOrDefault(p => p != null && File.Exists(p));
            if (existing != null)
            {
                return existing;
            }

            if (installations.Length == 0)
            {
                throw new TrustStoreException("StoreNotFound", "Thunderbird",
                    "Thunderbird is not installed in a place MailTls knows. Name its policy file with -PolicyPath (e.g. <install folder>/distribution/policies.json).");
            }

            // A new file in /etc would hide a distribution file Thunderbird reads (it never merges two), so this comes last.
            return system ?? Path.Combine(installations[0], "distribution", "policies.json");
        }

        /// <inheritdoc />
        public Task<IReadOnlyList<MailRootCaEntry>> ListAsync(CancellationToken cancellationToken)
        {
            var entries = new List<MailRootCaEntry>();
            foreach (var path in OurEntries(Install(Read())))
            {
                if (!File.Exists(path))
                {
                    throw new InvalidDataException($"'{Location}' installs '{path}', which is missing: Thunderbird skips it. Remove it with Remove-MailRootCa -Store Thunderbird, or put the file back.");
                }

                entries.AddRange(CertificateFile.Load(path).Select(c => new MailRootCaEntry(Name, path, c, CertificateEvaluator.Sha256Hex(c.RawData), policyPath: Location)));
            }

            return Task.FromResult<IReadOnlyList<MailRootCaEntry>>(entries);
        }

        /// <inheritdoc />
        public Task<StoreChange> AddAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            var file = FileFor(certificate);
            var pem = AnchorFolderTrustStore.Pem(certificate);
            var policy = Read();
            var install = Install(policy);
            var listed = Paths(install).Contains(file);
            if (listed && File.Exists(file) && File.ReadAllText(file) == pem)
            {
                return Task.FromResult(StoreChange.AlreadyDone);
            }

            cancellationToken.ThrowIfCancellationRequested();
            Directory.CreateDirectory(Path.GetDirectoryName(Location)!);
            AtomicFile.WriteText(file, pem);
            if (!listed)
            {
                try
                {
                    install.Add(file);
                    Write(policy, expected: all => all.Contains(file));
                }
                catch
                {
                    File.Delete(file);
                    throw;
                }
            }

            return Task.FromResult(StoreChange.Done);
        }

        /// <inheritdoc />
        public Task<StoreChange> RemoveAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            var file = FileFor(certificate);
            var policy = Read();
            var install = Install(policy);
            var listed = Paths(install).Contains(file);
            if (!listed && !File.Exists(file))
            {
                return Task.FromResult(StoreChange.AlreadyDone);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (listed)
            {
                foreach (var node in install.Where(n => IsString(n) && n!.GetValue<string>() == file).ToArray())
                {
                    install.Remove(node);
                }

                Write(policy, expected: all => !all.Contains(file));
            }

            if (File.Exists(file))
            {
                AtomicFile.Backup(file);
                File.Delete(file);
            }

            return Task.FromResult(StoreChange.Done);
        }

        private string FileFor(X509Certificate2 certificate) => Path.Combine(Path.GetDirectoryName(Location)!, AnchorFolderTrustStore.FileNameFor(certificate));

        private static IEnumerable<string> Paths(JsonArray install) => install.Where(IsString).Select(n => n!.GetValue<string>());

        private static bool IsString(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String;

        private static IEnumerable<string> OurEntries(JsonArray install) =>
            Paths(install)
                .Where(p => Path.IsPathRooted(p) && AnchorFolderTrustStore.IsOurFileName(p))
                .Distinct(StringComparer.Ordinal);

        /// <summary>The policy file as a JSON object (an empty one when there is no file yet).</summary>
        /// <exception cref="TrustStoreException">The file is not a JSON object with a "policies" object (PolicyFileInvalid).</exception>
        private JsonObject Read()
        {
            if (!File.Exists(Location))
            {
                return new JsonObject { ["policies"] = new JsonObject() };
            }

            try
            {
                if (JsonNode.Parse(File.ReadAllText(Location)) is JsonObject root && (root["policies"] ?? (root["policies"] = new JsonObject())) is JsonObject)
                {
                    return root;
                }
            }
            catch (JsonException ex)
            {
                throw new TrustStoreException("PolicyFileInvalid", Location, $"'{Location}' is not valid JSON ({ex.Message}); Thunderbird ignores it too. Fix the file first; MailTls left it as it was.", ex);
            }

            throw new TrustStoreException("PolicyFileInvalid", Location, $"'{Location}' is not a policy file: it needs a JSON object with a \"policies\" object. Fix the file first; MailTls left it as it was.");
        }

        /// <summary>policies.Certificates.Install, created where missing.</summary>
        private JsonArray Install(JsonObject root)
        {
            var policies = (JsonObject)root["policies"]!;
            var certificates = policies["Certificates"] ??= new JsonObject();
            if (certificates is not JsonObject certificatesObject)
            {
                throw new TrustStoreException("PolicyFileInvalid", Location, $"'{Location}': policies.Certificates is not an object. Fix the file first; MailTls left it as it was.");
            }

            var install = certificatesObject["Install"] ??= new JsonArray();
            return install as JsonArray
                ?? throw new TrustStoreException("PolicyFileInvalid", Location, $"'{Location}': policies.Certificates.Install is not a list. Fix the file first; MailTls left it as it was.");
        }

        /// <summary>Writes the policy (backup, temporary file, rename), then reads it back and checks the Install list.</summary>
        private void Write(JsonObject root, Func<IReadOnlyList<string>, bool> expected)
        {
            var text = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
            var backup = AtomicFile.Write(Location, new UTF8Encoding(false).GetBytes(text));
            if (!expected(OurEntries(Install(Read())).ToArray()))
            {
                if (backup != null)
                {
                    File.Copy(backup, Location, overwrite: true);
                }

                throw new TrustStoreException("StoreUpdateUnverified", Location, $"'{Location}' was written, but reading it back does not show the change; the old file is back.");
            }
        }

        private static IEnumerable<string> Installations()
        {
            if (System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows))
            {
                foreach (var variable in new[] { "ProgramFiles", "ProgramFiles(x86)" })
                {
                    var folder = Environment.GetEnvironmentVariable(variable);
                    if (!string.IsNullOrEmpty(folder))
                    {
                        yield return Path.Combine(folder, "Mozilla Thunderbird");
                    }
                }
            }
            else if (System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.OSX))
            {
                yield return "/Applications/Thunderbird.app/Contents/Resources";
            }
            else
            {
                foreach (var folder in new[] { "/usr/lib/thunderbird", "/usr/lib64/thunderbird", "/opt/thunderbird", "/usr/local/lib/thunderbird" })
                {
                    yield return folder;
                }
            }
        }
    }
}
