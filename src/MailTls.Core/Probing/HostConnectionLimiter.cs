using System;
using System.Collections.Concurrent;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.Probing
{
    /// <summary>
    /// At most N connections open to one server address at once, across every probe of a run, whatever the throttle:
    /// servers refuse (Postfix smtpd_client_connection_count_limit, Exim smtp_accept_max_per_host) or ban clients that
    /// open more, and a fleet scan must not look like an attack. A probe never waits for a second permit while holding
    /// one, so permits cannot deadlock.
    /// </summary>
    internal sealed class HostConnectionLimiter
    {
        private readonly int _limit;
        private readonly ConcurrentDictionary<IPAddress, SemaphoreSlim> _hosts = new ConcurrentDictionary<IPAddress, SemaphoreSlim>();

        /// <summary>A permit that holds no slot (for a connection whose slot someone else keeps).</summary>
        public static IDisposable NoPermit => Permit.None;

        /// <param name="limit">Connections per address; 0: no limit.</param>
        public HostConnectionLimiter(int limit) => _limit = limit;

        /// <summary>Waits for a free connection to <paramref name="address"/>; disposing the permit frees it.</summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> ended the wait.</exception>
        public async Task<IDisposable> EnterAsync(IPAddress address, CancellationToken cancellationToken)
        {
            if (_limit <= 0)
            {
                return Permit.None;
            }

            var gate = Gate(address);
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new Permit(gate);
        }

        /// <summary>A free connection to <paramref name="address"/> now, or none: for work that may not wait while it holds another.</summary>
        public bool TryEnter(IPAddress address, out IDisposable permit)
        {
            permit = Permit.None;
            if (_limit <= 0)
            {
                return true;
            }

            var gate = Gate(address);
            if (!gate.Wait(0))
            {
                return false;
            }

            permit = new Permit(gate);
            return true;
        }

        // IPv4 written as IPv6 (::ffff:a.b.c.d) is the same server.
        private SemaphoreSlim Gate(IPAddress address) =>
            _hosts.GetOrAdd(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, _ => new SemaphoreSlim(_limit, _limit));

        private sealed class Permit : IDisposable
        {
            public static readonly Permit None = new Permit(null);
            private SemaphoreSlim? _gate;

            public Permit(SemaphoreSlim? gate) => _gate = gate;

            public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
        }
    }
}
