using System.IO;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Imap;
using MailKit.Security;

namespace MinimalMailKit.Engine
{
    /// <summary>One IMAPS connection through MailKit, its chain checked against one root: the least a MailKit module does.</summary>
    public static class ImapsHandshake
    {
        /// <summary>Connects, shakes hands, logs out; the negotiated protocol.</summary>
        public static string Run(string host, int port, string rootPath)
        {
            using var root = X509Certificate2.CreateFromPem(File.ReadAllText(rootPath));
            using var client = new ImapClient { Timeout = 10_000 };
            client.ServerCertificateValidationCallback = (_, certificate, sent, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(root);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                if (sent != null)
                {
                    foreach (var element in sent.ChainElements)
                    {
                        chain.ChainPolicy.ExtraStore.Add(element.Certificate); // the intermediates the server sent
                    }
                }

                return certificate != null && chain.Build(new X509Certificate2(certificate));
            };
            client.Connect(host, port, SecureSocketOptions.SslOnConnect);
            var protocol = client.SslProtocol.ToString();
            client.Disconnect(true);
            return protocol;
        }
    }
}
