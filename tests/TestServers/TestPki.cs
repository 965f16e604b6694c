using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailTls.TestServers
{
    /// <summary>
    /// A PKI made at test time: a trusted test root with an intermediate, a second root nobody trusts, and one
    /// leaf per server case. Files: root.pem, untrusted-root.pem, and per case &lt;case&gt;/key.pem, leaf.pem
    /// (leaf only) and chain.pem (leaf + the certificates the server should send).
    /// </summary>
    public sealed class TestPki
    {
        private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;
        private readonly X509Certificate2 _root;
        private readonly X509Certificate2 _intermediate;
        private readonly X509Certificate2 _untrustedRoot;

        public TestPki(string directory)
        {
            Directory = directory;
            System.IO.Directory.CreateDirectory(directory);
            _root = CreateCa("MailTls Test Root CA", null);
            _intermediate = CreateCa("MailTls Test Intermediate CA", _root);
            _untrustedRoot = CreateCa("MailTls Untrusted Root CA", null);
            WritePem(RootPath, _root);
            WritePem(UntrustedRootPath, _untrustedRoot);
            WritePem(Path.Combine(directory, "intermediate.pem"), _intermediate);
        }

        public string Directory { get; }

        /// <summary>The test root: trusted by passing it as -TrustedRootCertificate, never installed.</summary>
        public string RootPath => Path.Combine(Directory, "root.pem");

        public string UntrustedRootPath => Path.Combine(Directory, "untrusted-root.pem");

        public X509Certificate2 Root => _root;

        /// <summary>Issues the leaf for one server case and writes its files.</summary>
        public LeafFiles IssueLeaf(string name, LeafKind kind, params IPAddress[] addresses) => IssueLeaf(name, kind, new[] { "mail.mailtls.test" }, addresses);

        /// <summary>Issues a leaf for other DNS names (e.g. a web server's).</summary>
        public LeafFiles IssueLeaf(string name, LeafKind kind, string[] dnsNames, params IPAddress[] addresses)
        {
            var folder = Path.Combine(Directory, name);
            System.IO.Directory.CreateDirectory(folder);
            // A weak key is RSA 1024; every other leaf is ECDSA P-256.
            using AsymmetricAlgorithm key = kind == LeafKind.WeakKey ? RSA.Create(1024) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var subject = $"CN={(kind == LeafKind.WrongName ? "wrong.mailtls.test" : "mail.mailtls.test")}, O=MailTls tests";
            var request = key is RSA rsa
                ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            if (kind == LeafKind.WrongName)
            {
                san.AddDnsName("wrong.mailtls.test");
            }
            else
            {
                foreach (var dnsName in dnsNames)
                {
                    san.AddDnsName(dnsName);
                }

                foreach (var address in addresses)
                {
                    san.AddIpAddress(address);
                }
            }

            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | (key is RSA ? X509KeyUsageFlags.KeyEncipherment : 0), true));
            var usage = kind == LeafKind.WrongUsage ? "1.3.6.1.5.5.7.3.2" /* clientAuth only */ : "1.3.6.1.5.5.7.3.1" /* serverAuth */;
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(usage) }, false));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

            var (notBefore, notAfter) = kind switch
            {
                LeafKind.Expired => (_now.AddDays(-90), _now.AddDays(-5)),
                LeafKind.NotYetValid => (_now.AddDays(5), _now.AddDays(90)),
                LeafKind.ExpiringSoon => (_now.AddDays(-60), _now.AddDays(10)),
                _ => (_now.AddDays(-1), _now.AddDays(180)),
            };

            X509Certificate2 leaf;
            var sent = new List<X509Certificate2>();
            switch (kind)
            {
                case LeafKind.SelfSigned:
                    leaf = request.CreateSelfSigned(notBefore, notAfter);
                    break;
                case LeafKind.Sha1Signature:
                    leaf = Issue(request, _intermediate, notBefore, notAfter, sha1Signature: true);
                    sent.Add(_intermediate);
                    break;
                case LeafKind.UntrustedRoot:
                    leaf = Issue(request, _untrustedRoot, notBefore, notAfter);
                    sent.Add(_untrustedRoot);
                    break;
                case LeafKind.MissingIntermediate:
                    leaf = Issue(request, _intermediate, notBefore, notAfter);
                    break;
                default:
                    leaf = Issue(request, _intermediate, notBefore, notAfter);
                    sent.Add(_intermediate);
                    break;
            }

            var files = new LeafFiles(Path.Combine(folder, "key.pem"), Path.Combine(folder, "leaf.pem"), Path.Combine(folder, "chain.pem"));
            File.WriteAllText(files.Key, PemEncoding("PRIVATE KEY", key.ExportPkcs8PrivateKey()));
            WritePem(files.Leaf, leaf);
            var chain = PemEncoding("CERTIFICATE", leaf.RawData);
            foreach (var extra in sent)
            {
                chain += PemEncoding("CERTIFICATE", extra.RawData);
            }

            File.WriteAllText(files.Chain, chain);
            return files;
        }

        private X509Certificate2 Issue(CertificateRequest request, X509Certificate2 issuer, DateTimeOffset notBefore, DateTimeOffset notAfter, bool sha1Signature = false)
        {
            var serial = new byte[12];
            RandomNumberGenerator.Fill(serial);
            serial[0] &= 0x7f;
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
            using var issuerKey = issuer.GetECDsaPrivateKey()!;
            // The weak-signature case signs ecdsa-with-SHA1, whatever hash the request names.
            X509SignatureGenerator generator = sha1Signature ? new EcdsaSha1Generator(issuerKey) : X509SignatureGenerator.CreateForECDsa(issuerKey);
            return request.Create(issuer.SubjectName, generator, notBefore, notAfter, serial);
        }

        private X509Certificate2 CreateCa(string name, X509Certificate2? issuer)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}, O=MailTls tests", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, issuer != null, issuer != null ? 0 : 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            if (issuer == null)
            {
                using var self = request.CreateSelfSigned(_now.AddDays(-365), _now.AddDays(3650));
                return X509CertificateLoader(self.Export(X509ContentType.Pfx));
            }

            var ca = Issue(request, issuer, _now.AddDays(-365), _now.AddDays(1825));
            return X509CertificateLoader(ca.CopyWithPrivateKey(key).Export(X509ContentType.Pfx));
        }

        // Round-trip through PFX so the private key is usable for signing on every platform.
        private static X509Certificate2 X509CertificateLoader(byte[] pfx) =>
            System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.Exportable);

        private static void WritePem(string path, X509Certificate2 certificate) => File.WriteAllText(path, PemEncoding("CERTIFICATE", certificate.RawData));

        private static string PemEncoding(string label, byte[] data) => new string(System.Security.Cryptography.PemEncoding.Write(label, data)) + "\n";
    }

    /// <summary>ecdsa-with-SHA1, which .NET's own generator refuses to make: only for the weak-signature case.</summary>
    internal sealed class EcdsaSha1Generator(ECDsa key) : X509SignatureGenerator
    {
        private static readonly byte[] AlgorithmIdentifier = { 0x30, 0x09, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01 };

        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => AlgorithmIdentifier;

        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) =>
            key.SignData(data, HashAlgorithmName.SHA1, DSASignatureFormat.Rfc3279DerSequence);

        protected override PublicKey BuildPublicKey() => CreateForECDsa(key).PublicKey;
    }

    public enum LeafKind
    {
        Good,
        Expired,
        NotYetValid,
        ExpiringSoon,
        WrongName,
        SelfSigned,
        MissingIntermediate,
        UntrustedRoot,
        WrongUsage,
        WeakKey,
        Sha1Signature,
    }

    public sealed record LeafFiles(string Key, string Leaf, string Chain);
}
