using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Security;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailTls.Policy;

namespace MailTls.Tls
{
    /// <summary>
    /// Judges the certificates a server sent: chain and trust (the system's roots, or the roots the user gave),
    /// name, dates, key and signature. Never fetches anything: a missing intermediate is reported, not repaired.
    /// </summary>
    internal static class CertificateEvaluator
    {
        private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
        private const string SubjectAlternativeNameOid = "2.5.29.17";
        private const string AnyExtendedKeyUsageOid = "2.5.29.37.0";
        private const int DnsName = 2;       // GeneralName [2] dNSName
        private const int IpAddressName = 7; // GeneralName [7] iPAddress

        private static readonly HashSet<string> WeakSignatureOids = new HashSet<string>
        {
            "1.2.840.113549.1.1.5", // sha1RSA
            "1.2.840.113549.1.1.4", // md5RSA
            "1.2.840.10045.4.1",    // ecdsa-with-SHA1
            "1.2.840.10040.4.3",    // dsa-with-sha1
        };

        public static void Evaluate(TlsObservation tls, string serverName, X509Certificate2Collection trustedRoots, ProbePolicy policy, DateTime now, EndpointReport report, FindingList findings)
        {
            if (tls.ServerCertificates.Count == 0)
            {
                return;
            }

            var leaf = tls.ServerCertificates[0];
            report.Certificate = leaf;
            report.Chain = tls.ServerCertificates.ToArray();
            report.Subject = leaf.Subject;
            report.Issuer = leaf.Issuer;
            report.Thumbprint = leaf.Thumbprint;
            report.Sha256Fingerprint = Sha256Hex(leaf.RawData);
            report.NotBefore = leaf.NotBefore;
            report.NotAfter = leaf.NotAfter;
            report.DaysToExpiry = (int)Math.Floor((leaf.NotAfter.ToUniversalTime() - now).TotalDays);
            report.SignatureAlgorithm = leaf.SignatureAlgorithm.FriendlyName ?? leaf.SignatureAlgorithm.Value;
            var (keyAlgorithm, keySize) = KeyOf(leaf);
            report.KeyAlgorithm = keyAlgorithm;
            report.KeySize = keySize;
            var altNames = SubjectAlternativeNames(leaf);
            var names = altNames.Select(n => n.Text).ToArray();
            report.SubjectAlternativeNames = string.Join("; ", names);

            // Dates.
            if (leaf.NotAfter.ToUniversalTime() < now)
            {
                findings.Add(FindingCatalog.CertificateExpired, $"It expired on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd} ({-report.DaysToExpiry} days ago).");
            }
            else if (leaf.NotBefore.ToUniversalTime() > now)
            {
                findings.Add(FindingCatalog.CertificateNotYetValid, $"It is valid from {leaf.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC.");
            }
            else if (report.DaysToExpiry < policy.MinimumDaysToExpiry)
            {
                findings.Add(FindingCatalog.CertificateExpiringSoon, $"It expires on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd}, in {report.DaysToExpiry} days; the policy's minimum: {policy.MinimumDaysToExpiry} days.");
            }

            // Name.
            report.NameMatches = NameMatches(leaf, serverName, altNames, tls.PlatformPolicyErrors);
            if (report.NameMatches == false)
            {
                findings.Add(FindingCatalog.NameMismatch, $"'{serverName}' is not among its names ({(names.Length > 0 ? string.Join(", ", names) : leaf.Subject)}).");
            }

            // Chain and trust.
            var verdict = BuildChain(leaf, tls.ServerCertificates.Skip(1), trustedRoots, policy.RequiredTrust, tls.PlatformChain);
            var (trusted, status, builtLength) = (verdict.Trusted, verdict.Status, verdict.Length);
            report.ChainTrusted = trusted;
            report.ChainStatus = status.Select(s => s.ToString()).ToArray();
            var selfSigned = CertificateFacts.IsSelfSigned(leaf);
            if (!trusted)
            {
                if (selfSigned)
                {
                    findings.Add(FindingCatalog.SelfSigned, $"Subject and issuer are both '{leaf.Subject}'.");
                }
                else if (status.Contains(X509ChainStatusFlags.PartialChain) && builtLength <= 1)
                {
                    // Nothing above the leaf could be found: the server did not send its intermediate.
                    findings.Add(FindingCatalog.IncompleteChain, $"No certificate for the issuer '{leaf.Issuer}' was sent or is known here.");
                }
                else if (status.Contains(X509ChainStatusFlags.PartialChain) || status.Contains(X509ChainStatusFlags.UntrustedRoot))
                {
                    // The server sent its chain, but it leads to a root this machine does not know or trust.
                    findings.Add(FindingCatalog.UntrustedRoot, $"The chain ends in '{RootSubject(tls.ServerCertificates)}'.");
                }

                var other = status.Where(s => s != X509ChainStatusFlags.PartialChain && s != X509ChainStatusFlags.UntrustedRoot
                    && s != X509ChainStatusFlags.NotTimeValid && s != X509ChainStatusFlags.NotValidForUsage).ToArray();
                if (other.Length > 0)
                {
                    findings.Add(FindingCatalog.ChainInvalid, "Chain status: " + string.Join(", ", other) + ".");
                }
            }

            // An untrusted chain always says why: an expired intermediate, say, is not covered by the leaf's dates.
            var explained = new[]
            {
                FindingCatalog.CertificateExpired, FindingCatalog.CertificateNotYetValid, FindingCatalog.SelfSigned, FindingCatalog.IncompleteChain,
                FindingCatalog.UntrustedRoot, FindingCatalog.ChainInvalid,
            };
            if (!trusted && !explained.Any(findings.Contains) && !status.Contains(X509ChainStatusFlags.NotValidForUsage))
            {
                findings.Add(FindingCatalog.ChainInvalid, "Chain status: " + string.Join(", ", status.Select(f => f.ToString()).DefaultIfEmpty("untrusted")) + ".");
            }

            // Key usage, key, signature.
            var usageProblem = KeyUsageProblem(leaf, keyAlgorithm);
            if (usageProblem != null || status.Contains(X509ChainStatusFlags.NotValidForUsage))
            {
                findings.Add(FindingCatalog.WrongKeyUsage, usageProblem ?? "The chain is not valid for server authentication.");
            }

            if ((keyAlgorithm == "RSA" && keySize < 2048) || (keyAlgorithm == "ECDSA" && keySize < 256) || keyAlgorithm == "DSA")
            {
                findings.Add(FindingCatalog.WeakKey, $"The key is {keyAlgorithm} {keySize} bits.");
            }

            var weak = tls.ServerCertificates.Where(c => !CertificateFacts.IsSelfSigned(c) && WeakSignatureOids.Contains(c.SignatureAlgorithm.Value ?? string.Empty)).ToArray();
            if (weak.Length > 0)
            {
                findings.Add(FindingCatalog.Sha1Signature, string.Join("; ", weak.Select(c => $"'{c.Subject}' is signed with {c.SignatureAlgorithm.FriendlyName}")) + ".");
            }
        }

        /// <summary>Whether the chain builds to the system's roots or to one of <paramref name="trustedRoots"/>.</summary>
        internal static bool IsTrusted(X509Certificate2 leaf, IEnumerable<X509Certificate2> intermediates, X509Certificate2Collection trustedRoots) =>
            BuildChain(leaf, intermediates, trustedRoots, TrustRequirement.Any, platform: null).Trusted;

        internal static string Sha256Hex(byte[] data)
        {
            using var sha = SHA256.Create();
            return BitConverter.ToString(sha.ComputeHash(data)).Replace("-", string.Empty);
        }

        /// <summary>
        /// Trust by the given roots or the system's, as the policy requires. A chain the handshake already built the same
        /// way (<paramref name="platform"/>; see <see cref="TrustForHandshake"/>) is taken as it is, so a probe usually
        /// builds one chain, not two: with roots given, the handshake checks against them, and the system's roots are
        /// asked only when those do not trust it.
        /// </summary>
        private static ChainVerdict BuildChain(X509Certificate2 leaf, IEnumerable<X509Certificate2> intermediates, X509Certificate2Collection trustedRoots, TrustRequirement requirement, ChainVerdict? platform)
        {
            var extra = intermediates.ToArray();
            ChainVerdict BySystem() => platform?.Trust == ChainTrust.System ? platform : Build(leaf, extra, null);
            ChainVerdict ByGivenRoots() => platform?.Trust == ChainTrust.GivenRoots ? platform : Build(leaf, extra, trustedRoots);

            if (requirement == TrustRequirement.System || (requirement == TrustRequirement.Any && trustedRoots.Count == 0))
            {
                return BySystem();
            }

            if (trustedRoots.Count == 0)
            {
                return new ChainVerdict(ChainTrust.GivenRoots, false, new HashSet<X509ChainStatusFlags> { X509ChainStatusFlags.UntrustedRoot }, 1);
            }

            var given = ByGivenRoots();
            if (given.Trusted || requirement == TrustRequirement.TrustedRoots)
            {
                return given;
            }

            // Not the given roots: the system's may still trust it; if not, the given roots' answer says why.
            var system = BySystem();
            return system.Trusted ? system : given;
        }

        /// <summary>
        /// The roots the handshake's own chain check should use so that <see cref="BuildChain"/> can take its result: the
        /// given ones when the policy accepts them, else null (the system's).
        /// </summary>
        internal static X509Certificate2Collection? TrustForHandshake(X509Certificate2Collection trustedRoots, TrustRequirement requirement) =>
            trustedRoots.Count > 0 && requirement != TrustRequirement.System ? trustedRoots : null;

        /// <summary>The chain policy every check of a server uses: no downloads, no revocation, for server authentication.</summary>
        internal static X509ChainPolicy ServerChainPolicy(X509Certificate2Collection? roots)
        {
            var policy = new X509ChainPolicy { RevocationMode = X509RevocationMode.NoCheck };
            policy.ApplicationPolicy.Add(new Oid(ServerAuthOid));
#if NET
            policy.DisableCertificateDownloads = true;
            if (roots != null)
            {
                policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                policy.CustomTrustStore.AddRange(roots);
            }
#else
            // .NET Framework cannot switch intermediate downloads off; the shortest retrieval time keeps a probe
            // from waiting on (or talking to) anything but the endpoint for long.
            policy.UrlRetrievalTimeout = TimeSpan.FromMilliseconds(1);
            if (roots != null)
            {
                // Without CustomTrustStore: let an unknown root through (Build checks that it is one of the given roots).
                policy.ExtraStore.AddRange(roots);
                policy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            }
#endif
            return policy;
        }

        /// <summary>What a chain that was built says: trusted, or why not (its status flags).</summary>
        internal static ChainVerdict Verdict(ChainTrust trust, bool trusted, X509Chain chain) =>
            new ChainVerdict(trust, trusted, trusted ? new HashSet<X509ChainStatusFlags>() : Flags(chain), chain.ChainElements.Count);

        /// <summary>One chain build, by the system's roots (<paramref name="roots"/> null) or by the given ones only.</summary>
        private static ChainVerdict Build(X509Certificate2 leaf, X509Certificate2[] extra, X509Certificate2Collection? roots)
        {
            using var owned = NewChain(extra, leaf, roots);
            var chain = owned.Chain;
            var built = chain.Build(leaf);
#if NET
            return Verdict(roots == null ? ChainTrust.System : ChainTrust.GivenRoots, built, chain);
#else
            if (roots == null)
            {
                return Verdict(ChainTrust.System, built, chain);
            }

            var root = chain.ChainElements.Count > 0 ? chain.ChainElements[chain.ChainElements.Count - 1].Certificate : null;
            var rootGiven = root != null && roots.Cast<X509Certificate2>().Any(r => r.Thumbprint == root.Thumbprint);
            var flags = Flags(chain);
            flags.Remove(X509ChainStatusFlags.UntrustedRoot);
            if (!rootGiven)
            {
                flags.Add(X509ChainStatusFlags.UntrustedRoot);
            }

            return new ChainVerdict(ChainTrust.GivenRoots, built && rootGiven && flags.Count == 0, flags, chain.ChainElements.Count);
#endif
        }

        private static OwnedChain NewChain(X509Certificate2[] extra, X509Certificate2 leaf, X509Certificate2Collection? roots)
        {
            var chain = new X509Chain { ChainPolicy = ServerChainPolicy(roots) };
            chain.ChainPolicy.ExtraStore.AddRange(extra);
            return new OwnedChain(chain, extra.Append(leaf).Concat(roots?.Cast<X509Certificate2>() ?? Enumerable.Empty<X509Certificate2>()));
        }

        /// <summary>
        /// A chain that also frees the certificates its elements hold when disposed: X509Chain.Dispose leaves them to
        /// the finalizer, and a fleet scan builds a chain per probe, thousands of them.
        /// </summary>
        private sealed class OwnedChain : IDisposable
        {
            private readonly X509Certificate2[] _theirs;

            /// <param name="chain">The chain.</param>
            /// <param name="theirs">Certificates the caller owns (the server's, the roots given): never disposed here.</param>
            public OwnedChain(X509Chain chain, IEnumerable<X509Certificate2> theirs)
            {
                Chain = chain;
                _theirs = theirs.ToArray();
            }

            public X509Chain Chain { get; }

            public void Dispose()
            {
                foreach (var element in Chain.ChainElements)
                {
                    if (!_theirs.Any(c => ReferenceEquals(c, element.Certificate)))
                    {
                        element.Certificate.Dispose();
                    }
                }

                Chain.Dispose();
            }
        }

        private static HashSet<X509ChainStatusFlags> Flags(X509Chain chain)
        {
            var flags = new HashSet<X509ChainStatusFlags>();
            foreach (var status in chain.ChainStatus)
            {
                foreach (X509ChainStatusFlags flag in Enum.GetValues(typeof(X509ChainStatusFlags)))
                {
                    if (flag != X509ChainStatusFlags.NoError && (status.Status & flag) == flag)
                    {
                        flags.Add(flag);
                    }
                }
            }

            return flags;
        }

        private static string RootSubject(IReadOnlyList<X509Certificate2> presented) => presented[presented.Count - 1].Issuer;

        private static bool? NameMatches(X509Certificate2 leaf, string serverName, IReadOnlyList<(int Kind, string Text)> names, System.Net.Security.SslPolicyErrors? platformErrors)
        {
            if (NamedExactly(serverName, names))
            {
                return true;
            }
#if NET
            try
            {
                return leaf.MatchesHostname(serverName, allowWildcards: true, allowCommonName: names.Count == 0);
            }
            catch (CryptographicException)
            {
                // A subjectAltName .NET's strict decoder refuses (a stray byte in a name): judged as below instead.
            }
#endif
            if (platformErrors.HasValue)
            {
                return (platformErrors.Value & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
            }

            return names.Select(n => n.Text).Any(n => string.Equals(n, serverName, StringComparison.OrdinalIgnoreCase)
                || (n.StartsWith("*.", StringComparison.Ordinal) && serverName.IndexOf('.') > 0
                    && string.Equals(n.Substring(1), serverName.Substring(serverName.IndexOf('.')), StringComparison.OrdinalIgnoreCase)));
        }

        /// <summary>
        /// Whether a subjectAltName names the server exactly: for an address, an iPAddress name with the same address;
        /// otherwise a dNSName equal to it in ASCII, any case. Only a yes MatchesHostname would give as well: wildcards,
        /// IDNs and every no are left to it. It spares the common case that call's cost: .NET
        /// decodes the whole extension on every call, about 70 KB for a certificate with 65 names, which was half of
        /// everything a probe allocated in a fleet served by one such certificate.
        /// </summary>
        private static bool NamedExactly(string serverName, IReadOnlyList<(int Kind, string Text)> names)
        {
            if (System.Net.IPAddress.TryParse(serverName, out var address))
            {
                var text = address.ToString(); // the same canonical form the names were read into
                return names.Any(n => n.Kind == IpAddressName && n.Text == text);
            }

            // ASCII only: a name outside it is an IDN, which MatchesHostname maps to its ASCII form before it compares.
            return serverName.All(c => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.')
                && names.Any(n => n.Kind == DnsName && string.Equals(n.Text, serverName, StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>
        /// The e-mail, DNS, URI and IP names of the subjectAltName extension (RFC 5280 GeneralNames), read with
        /// System.Formats.Asn1 the same way on every platform (X509Extension.Format does not, and .NET's own
        /// extension class gives DNS and IP names only). Other kinds of name are not text and are left out. Read as
        /// leniently as TLS stacks accept certificates: BER lengths, and a byte outside ASCII shown as '?'.
        /// </summary>
        /// <exception cref="AsnContentException">The extension is not a sequence of names at all.</exception>
        private static IReadOnlyList<(int Kind, string Text)> SubjectAlternativeNames(X509Certificate2 certificate)
        {
            var extension = certificate.Extensions.Cast<X509Extension>().FirstOrDefault(e => e.Oid?.Value == SubjectAlternativeNameOid);
            if (extension == null)
            {
                return Array.Empty<(int, string)>();
            }

            var names = new List<(int Kind, string Text)>();
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.BER);
            var generalNames = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            while (generalNames.HasData)
            {
                var tag = generalNames.PeekTag();
                var kind = tag.TagClass == TagClass.ContextSpecific ? tag.TagValue : -1;
                switch (kind)
                {
                    case 1: // rfc822Name
                    case DnsName:
                    case 6: // uniformResourceIdentifier
                        // IA5String content, taken as bytes: a name with a stray byte is still shown, not a reason to fail.
                        names.Add((kind, new string(generalNames.ReadOctetString(tag).Select(b => b >= 0x20 && b < 0x7F ? (char)b : '?').ToArray())));
                        break;
                    case IpAddressName: // 4 or 16 octets
                        var octets = generalNames.ReadOctetString(tag);
                        if (octets.Length == 4 || octets.Length == 16)
                        {
                            names.Add((kind, new System.Net.IPAddress(octets).ToString()));
                        }

                        break;
                    default:
                        generalNames.ReadEncodedValue();
                        break;
                }
            }

            return names;
        }

        private static (string? Algorithm, int? Size) KeyOf(X509Certificate2 certificate)
        {
            switch (certificate.PublicKey.Oid.Value)
            {
                case "1.2.840.113549.1.1.1":
                    using (var rsa = certificate.GetRSAPublicKey())
                    {
                        return ("RSA", rsa?.KeySize);
                    }

                case "1.2.840.10045.2.1":
                    using (var ec = certificate.GetECDsaPublicKey())
                    {
                        return ("ECDSA", ec?.KeySize);
                    }

                case "1.2.840.10040.4.1":
                    return ("DSA", null);
                case "1.3.101.112":
                    return ("Ed25519", 256);
                case "1.3.101.113":
                    return ("Ed448", 456);
                default:
                    return (certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value, null);
            }
        }

        private static string? KeyUsageProblem(X509Certificate2 leaf, string? keyAlgorithm)
        {
            foreach (var extension in leaf.Extensions)
            {
                if (extension is X509KeyUsageExtension usage)
                {
                    var signs = (usage.KeyUsages & X509KeyUsageFlags.DigitalSignature) != 0;
                    var encrypts = keyAlgorithm == "RSA" && (usage.KeyUsages & X509KeyUsageFlags.KeyEncipherment) != 0;
                    if (!signs && !encrypts)
                    {
                        return $"Key usage is '{usage.KeyUsages}', without digitalSignature.";
                    }
                }
                else if (extension is X509EnhancedKeyUsageExtension enhanced)
                {
                    var oids = enhanced.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToArray();
                    if (!oids.Contains(ServerAuthOid) && !oids.Contains(AnyExtendedKeyUsageOid))
                    {
                        return "Extended key usage does not include serverAuth (" +
                            string.Join(", ", enhanced.EnhancedKeyUsages.Cast<Oid>().Select(o => o.FriendlyName ?? o.Value)) + ").";
                    }
                }
            }

            return null;
        }
    }
}
