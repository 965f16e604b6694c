using System;
using System.IO;
using System.Security.Cryptography.X509Certificates;

namespace MailTls.Trust
{
    /// <summary>A certificate as a PEM file in the temporary folder, for a store tool to read; deleted on dispose.</summary>
    internal sealed class TemporaryPem : IDisposable
    {
        public TemporaryPem(X509Certificate2 certificate)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mailtls-" + Guid.NewGuid().ToString("N") + ".pem");
            File.WriteAllText(Path, AnchorFolderTrustStore.Pem(certificate));
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}
