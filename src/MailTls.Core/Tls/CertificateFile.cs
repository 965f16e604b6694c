using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailTls.Tls
{
    /// <summary>A certificate file that also holds private key material.</summary>
    public sealed class PrivateKeyMaterialException : Exception
    {
        internal PrivateKeyMaterialException(string message)
            : base(message)
        {
        }
    }

    /// <summary>Reads certificates from a file: PEM (one or many), DER (.cer/.crt) or PKCS#7.</summary>
    public static class CertificateFile
    {
        private const string PemBegin = "-----BEGIN CERTIFICATE-----";
        private const string PemEnd = "-----END CERTIFICATE-----";

        /// <summary>Loads every certificate in the file.</summary>
        /// <param name="path">A file system path.</param>
        /// <returns>At least one certificate.</returns>
        /// <exception cref="FileNotFoundException">No such file.</exception>
        /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
        /// <exception cref="IOException">Reading failed.</exception>
        /// <exception cref="InvalidDataException">The file holds no certificate.</exception>
        /// <exception cref="PrivateKeyMaterialException">The file holds a private key.</exception>
        public static IReadOnlyList<X509Certificate2> Load(string path)
        {
            if (path is null)
            {
                throw new ArgumentNullException(nameof(path));
            }

            return Parse(File.ReadAllBytes(path), path);
        }

        /// <summary>Every certificate in <paramref name="bytes"/> (PEM, DER or PKCS#7), e.g. a tool's output.</summary>
        /// <param name="bytes">The content.</param>
        /// <param name="source">What the content is, for messages (a path, a tool and its item).</param>
        /// <exception cref="InvalidDataException">The content holds no certificate.</exception>
        /// <exception cref="PrivateKeyMaterialException">The content holds a private key.</exception>
        internal static IReadOnlyList<X509Certificate2> Parse(byte[] bytes, string source)
        {
            var text = Encoding.ASCII.GetString(bytes);
            // A file that carries a private key is refused whole: key material never goes near a trust store.
            if (text.Contains("PRIVATE KEY-----") || IsPkcs12(bytes))
            {
                throw new PrivateKeyMaterialException($"'{source}' contains a private key (a PEM key block or a PKCS#12/PFX file). Use a file with the certificate only (.crt, .cer, .pem).");
            }

            var result = new List<X509Certificate2>();
            try
            {
                if (text.Contains(PemBegin))
                {
                    var start = 0;
                    while ((start = text.IndexOf(PemBegin, start, StringComparison.Ordinal)) >= 0)
                    {
                        var end = text.IndexOf(PemEnd, start, StringComparison.Ordinal);
                        if (end < 0)
                        {
                            throw new InvalidDataException($"'{source}' has a PEM certificate block without its END line.");
                        }

                        var body = text.Substring(start + PemBegin.Length, end - start - PemBegin.Length);
                        result.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(body)));
                        start = end + PemEnd.Length;
                    }
                }
                else
                {
                    // DER or PKCS#7. X509CertificateLoader, which replaces Import, reads one certificate or PKCS#12,
                    // not PKCS#7, and PKCS#12 was refused above: so Import stays, for the two it reads.
                    var collection = new X509Certificate2Collection();
#pragma warning disable SYSLIB0057
                    collection.Import(bytes);
#pragma warning restore SYSLIB0057
                    foreach (var certificate in collection)
                    {
                        result.Add(certificate);
                    }
                }
            }
            catch (Exception ex) when (ex is CryptographicException || ex is FormatException)
            {
                throw new InvalidDataException($"'{source}' is not a certificate file (PEM, DER or PKCS#7): {ex.Message}", ex);
            }

            if (result.Count == 0)
            {
                throw new InvalidDataException($"'{source}' holds no certificate.");
            }

            return result;
        }
    
        private static bool IsPkcs12(byte[] bytes)
        {
            try
            {
#pragma warning disable SYSLIB0057 // only the content type is asked for, nothing is loaded
                return X509Certificate2.GetCertContentType(bytes) == X509ContentType.Pkcs12;
#pragma warning restore SYSLIB0057
            }
            catch (CryptographicException)
            {
                return false;
            }
        }
    }
}
