using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Probing;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>
    /// How a probe's connection gives back its per-host slot: only once the server has seen it end. The servers here
    /// are a few lines on a loopback listener, for the two behaviours a real server shows only by chance (closing
    /// late, never closing).
    /// </summary>
    public sealed class ConnectionTests
    {
        private static readonly IPAddress Loopback = IPAddress.Loopback;
        private static readonly TimeSpan Generous = TimeSpan.FromSeconds(5);

        [Fact]
        public async Task The_slot_is_free_only_once_the_server_has_closed_its_side()
        {
            using var listener = Listen();
            var serverClosed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var server = Task.Run(async () =>
            {
                using var accepted = await listener.AcceptSocketAsync();
                var sink = new byte[256];
                while (await accepted.ReceiveAsync(sink, SocketFlags.None) > 0)
                {
                }

                await Task.Delay(150); // it sees the end, then takes its time (as Postfix's smtpd tells its anvil)
                serverClosed.SetResult(true);
            });

            var limiter = new HostConnectionLimiter(1);
            var connection = await OpenAsync(limiter, listener, TimeSpan.FromSeconds(2), CancellationToken.None);
            connection.Dispose();
            Assert.False(limiter.TryEnter(Loopback, out _), "the slot was free before the server had closed");

            await connection.Closed.WaitAsync(Generous);
            Assert.True(serverClosed.Task.IsCompleted, "the connection was taken as closed before the server closed");
            Assert.True(limiter.TryEnter(Loopback, out var next));
            next.Dispose();
            await server.WaitAsync(Generous);
        }

        [Fact]
        public async Task A_server_that_never_closes_holds_the_slot_for_the_bound_only()
        {
            await using var server = new HoldingServer();
            var limiter = new HostConnectionLimiter(1);
            var connection = await OpenAsync(limiter, server.Listener, TimeSpan.FromMilliseconds(300), CancellationToken.None);
            var clock = Stopwatch.StartNew();
            connection.Dispose();
            await connection.Closed.WaitAsync(Generous);
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"it gave up after {clock.Elapsed.TotalMilliseconds:0} ms, before its bound");
            AssertSlotFree(limiter);
        }

        [Fact]
        public async Task Ctrl_C_ends_the_wait_for_the_server_at_once()
        {
            await using var server = new HoldingServer();
            using var user = new CancellationTokenSource();
            var limiter = new HostConnectionLimiter(1);
            var connection = await OpenAsync(limiter, server.Listener, TimeSpan.FromSeconds(30), user.Token);
            user.Cancel();
            var clock = Stopwatch.StartNew();
            connection.Dispose();
            await connection.Closed.WaitAsync(Generous);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"closing took {clock.Elapsed} after Ctrl+C");
            AssertSlotFree(limiter);
        }

        [Fact]
        public async Task Without_a_bound_the_slot_is_free_at_once()
        {
            await using var server = new HoldingServer();
            var limiter = new HostConnectionLimiter(1);
            var connection = await OpenAsync(limiter, server.Listener, TimeSpan.Zero, CancellationToken.None);
            connection.Dispose();
            Assert.True(connection.Closed.IsCompleted);
            AssertSlotFree(limiter);
        }

        private static void AssertSlotFree(HostConnectionLimiter limiter)
        {
            Assert.True(limiter.TryEnter(Loopback, out var next), "the slot is still taken");
            next.Dispose();
        }

        private static TcpListener Listen()
        {
            var listener = new TcpListener(Loopback, 0);
            listener.Start();
            return listener;
        }

        private static async Task<Connection> OpenAsync(HostConnectionLimiter limiter, TcpListener listener, TimeSpan closeBound, CancellationToken user)
        {
            var permit = await limiter.EnterAsync(Loopback, CancellationToken.None);
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            return await Connection.OpenAsync(Loopback, port, TimeSpan.FromSeconds(5), null, CancellationToken.None, user, permit, closeBound);
        }

        /// <summary>Accepts one connection and neither reads from it nor closes it until disposed.</summary>
        private sealed class HoldingServer : IAsyncDisposable
        {
            private readonly SemaphoreSlim _held = new SemaphoreSlim(0);
            private readonly Task _serving;

            public HoldingServer()
            {
                Listener = Listen();
                _serving = Task.Run(async () =>
                {
                    using var accepted = await Listener.AcceptSocketAsync();
                    await _held.WaitAsync();
                });
            }

            public TcpListener Listener { get; }

            public async ValueTask DisposeAsync()
            {
                _held.Release();
                Listener.Dispose(); // also ends an accept still waiting, after a test that failed before it connected
                try
                {
                    await _serving.WaitAsync(Generous);
                }
                catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
                {
                    // That accept, ended.
                }

                _held.Dispose();
            }
        }
    }
}
