using System;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using System.Threading;

namespace MailTls.PowerShell
{
    /// <summary>
    /// Reads the system's trust store in the background while the module is imported, on Linux. There .NET parses the
    /// whole store (every certificate of /etc/ssl/certs, about 50 ms) the first time a chain is built, which the first
    /// TLS handshake of the session does; read now, it overlaps with the rest of the import and the script's next
    /// statements instead of sitting in the middle of the first probe (about 50 ms sooner, measured). It is the same
    /// process-wide cache every later chain uses, so nothing is read twice; elsewhere the platform reads its store
    /// by the certificate, and nothing is done. .NET looks at the store again only 5 s after reading it, which is why
    /// Import-MailRootCa -Verify waits for that after changing the system store.
    /// </summary>
    internal static class TrustStoreWarmUp
    {
        private static int _started; // once per process, like the cache it fills (a re-import reads nothing again)

        public static void Begin()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || Interlocked.Exchange(ref _started, 1) != 0)
            {
                return;
            }

            ThreadPool.QueueUserWorkItem(_ =>
            {
                try
                {
                    using (var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine))
                    {
                        store.Open(OpenFlags.ReadOnly);
                        foreach (var certificate in store.Certificates)
                        {
                            certificate.Dispose();
                        }
                    }
                }
#pragma warning disable CA1031 // a warm-up on a pool thread must never take the user's session down
                catch (Exception)
#pragma warning restore CA1031
                {
                    // An unreadable store is the first handshake's to report, as it would have been.
                }
            });
        }
    }
}
