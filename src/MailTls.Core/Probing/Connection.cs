using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.Probing
{
    /// <summary>
    /// One TCP connection of a probe and its current phase. When a phase runs out (time or bytes) the socket
    /// is closed at once, which also unblocks stacks that ignore cancellation tokens (.NET Framework streams).
    /// </summary>
    internal sealed class Connection : IDisposable
    {
        private readonly Socket _socket;
        private readonly CancellationToken _deadline;
        private readonly CancellationToken _user;
        private ProbePhase _phase;
        private CancellationTokenRegistration _abortOnPhaseEnd;
        private IDisposable? _permit;

        private Connection(Socket socket, ProbePhase connectPhase, CancellationToken deadline, CancellationToken user)
        {
            _socket = socket;
            _phase = connectPhase;
            _deadline = deadline;
            _user = user;
            _abortOnPhaseEnd = connectPhase.Token.Register(Abort);
            Raw = null!;
        }

        /// <summary>The guarded raw stream: plaintext dialog, then TLS records.</summary>
        public GuardedStream Raw { get; private set; }

        public ProbePhase Phase => _phase;

        /// <summary>Bytes the kernel already holds for us, unread.</summary>
        public int Available
        {
            get
            {
                try
                {
                    return _socket.Available;
                }
                catch (ObjectDisposedException)
                {
                    return 0;
                }
                catch (SocketException)
                {
                    return 0;
                }
            }
        }

        /// <summary>
        /// Connects, bounded by <paramref name="timeout"/>; the returned connection is in its "connect" phase. It holds
        /// <paramref name="permit"/> (the host's connection slot) and frees it when it closes or fails to open.
        /// </summary>
        /// <exception cref="SocketException">Refused, unreachable, reset.</exception>
        /// <exception cref="OperationCanceledException">Timed out (see <see cref="ProbePhase.TimedOut"/>) or cancelled.</exception>
        public static async Task<Connection> OpenAsync(IPAddress address, int port, TimeSpan timeout, Transcript? transcript, CancellationToken deadline, CancellationToken user, IDisposable permit)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var phase = new ProbePhase("connect", timeout, 0, deadline, user);
            var connection = new Connection(socket, phase, deadline, user) { _permit = permit };
            try
            {
#if NET
                await socket.ConnectAsync(new IPEndPoint(address, port), phase.Token).ConfigureAwait(false);
#else
                await socket.ConnectAsync(new IPEndPoint(address, port)).ConfigureAwait(false);
#endif
                phase.Token.ThrowIfCancellationRequested();
                connection.Raw = new GuardedStream(new QuickAckStream(socket), () => connection._phase, transcript);
                return connection;
            }
            catch (Exception ex) when (phase.Token.IsCancellationRequested && !(ex is OperationCanceledException))
            {
                // Where connect ignores the token (.NET Framework), the phase ends it by closing the socket, which
                // surfaces as ObjectDisposedException or SocketException(OperationAborted): it was the timeout (or Ctrl+C).
                connection.Dispose();
                throw new OperationCanceledException(phase.Token);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        /// <summary>Starts the next phase: at most <paramref name="timeout"/> and <paramref name="maxBytes"/> received.</summary>
        public ProbePhase Begin(string name, int maxBytes, TimeSpan timeout)
        {
            _abortOnPhaseEnd.Dispose();
            _phase.Dispose();
            _phase = new ProbePhase(name, timeout, maxBytes, _deadline, _user);
            _abortOnPhaseEnd = _phase.Token.Register(Abort);
            return _phase;
        }

        private void Abort()
        {
            try
            {
                _socket.Dispose();
            }
            catch (ObjectDisposedException)
            {
                // Already closed.
            }
        }

        /// <summary>
        /// Closes our side, waits (at most <paramref name="bound"/>) for the server to close its side, then closes and
        /// frees the permit. For a connection whose slot goes straight to the probe's next one: a server counts a
        /// connection until it has seen it end (Postfix's anvil does), so a slot handed on at once could look to it like
        /// one connection over the limit.
        /// </summary>
        public async Task CloseGracefullyAsync(TimeSpan bound)
        {
            try
            {
#if NET
                _socket.Shutdown(SocketShutdown.Send);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(_user);
                wait.CancelAfter(bound);
                var buffer = new byte[1024];
                for (var total = 0; total < 64 * 1024;)
                {
                    var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break; // the server has seen the end
                    }

                    total += read;
                }
#else
                await Task.CompletedTask.ConfigureAwait(false); // .NET Framework: closed at once, as before
#endif
            }
            catch (Exception ex) when (ex is SocketException || ex is OperationCanceledException || ex is ObjectDisposedException)
            {
                // Gone already, or the server keeps its side open: the bound is all it gets.
            }
            finally
            {
                Dispose();
            }
        }

        /// <summary>Closes the connection and frees its permit; closing twice is harmless.</summary>
        public void Dispose()
        {
            _abortOnPhaseEnd.Dispose();
            _phase.Dispose();
            Abort();
            Interlocked.Exchange(ref _permit, null)?.Dispose();
        }
    }
}
