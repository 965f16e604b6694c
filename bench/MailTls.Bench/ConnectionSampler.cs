using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MailTls.TestServers;

namespace MailTls.Bench
{
    /// <summary>
    /// Samples, every 100 ms with ss, the client connections open to the IMAPS listeners, and keeps the most seen to one
    /// address at once (the per-host limit as the servers see it).
    /// </summary>
    internal sealed class ConnectionSampler : IDisposable
    {
        private readonly CancellationTokenSource _done = new CancellationTokenSource();
        private readonly Task _sampling;
        private int _busiest;

        public ConnectionSampler() => _sampling = Task.Run(Sample);

        /// <summary>Stops sampling; returns the most connections seen open to one address at once.</summary>
        public int Stop()
        {
            _done.Cancel();
            _sampling.Wait();
            return _busiest;
        }

        public void Dispose()
        {
            Stop();
            _done.Dispose();
        }

        private void Sample()
        {
            while (!_done.IsCancellationRequested)
            {
                // Client sockets only (destination port = the listeners'), grouped by the address they go to.
                var lines = Shell.Run("ss", new[] { "-Htn", "state", "established", $"( dport = :{Ports.Imaps} )" }, anyExitCode: true).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var most = lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 4)
                    .GroupBy(f => f[3].Substring(0, f[3].LastIndexOf(':'))).Select(g => g.Count()).DefaultIfEmpty(0).Max();
                _busiest = Math.Max(_busiest, most);
                Thread.Sleep(100);
            }
        }
    }
}
