using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.Probing
{
    /// <summary>Name resolution, bounded in time: through the given DNS servers, or the system resolver.</summary>
    internal static class Resolver
    {
        /// <exception cref="SocketException">The name does not resolve.</exception>
        /// <exception cref="OperationCanceledException">No answer in time, or cancelled.</exception>
        public static async Task<IPAddress[]> ResolveAsync(string hostName, TimeSpan timeout, CancellationToken cancellationToken, PortPlan.DnsDiscovery? dns = null)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(timeout);
            if (dns != null)
            {
                var found = await dns.ResolveAsync(hostName, bounded.Token).ConfigureAwait(false);
                return found.Count > 0 ? System.Linq.Enumerable.ToArray(found) : throw new SocketException((int)SocketError.HostNotFound);
            }

#if NET
            var addresses = await Dns.GetHostAddressesAsync(hostName, bounded.Token).ConfigureAwait(false);
#else
            // The .NET Framework lookup cannot be cancelled: stop waiting for it instead.
            var lookup = Dns.GetHostAddressesAsync(hostName);
            var finished = await Task.WhenAny(lookup, Task.Delay(System.Threading.Timeout.Infinite, bounded.Token)).ConfigureAwait(false);
            if (finished != lookup)
            {
                _ = lookup.ContinueWith(t => t.Exception, TaskScheduler.Default);
                throw new OperationCanceledException(bounded.Token);
            }

            var addresses = await lookup.ConfigureAwait(false);
#endif
            if (addresses.Length == 0)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }

            return addresses;
        }
    }
}
