using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.Probing
{
    /// <summary>
    /// One TCP connection of a probe and its current phase. When a phase runs out (time or bytes) its token cancels
    /// the pending read or write (the guarded stream links it into every one); on .NET Framework, whose streams ignore
    /// tokens, the socket is closed at once instead.
    /// </summary>
    /// <remarks>
    /// Closing is where a per-host limit is kept or broken: a server counts a connection until it has seen it end
    /// (Postfix's anvil does, and Exim), so a slot handed on the moment our socket closes could look to it like one
    /// connection over the limit. So a connection that holds a slot closes our side first, waits (bounded) for the
    /// server's close, and only then frees the slot; <see cref="Closed"/> says when.
    /// </remarks>
    internal sealed class Connection : IDisposable
    {
        // What the server still sends after our close is read and dropped (here, where only its end matters): one
        // buffer for every connection, since nobody reads what is written into it.
        private static readonly byte[] Discarded = new byte[4096];
        private const int MaxDiscarded = 64 * 1024;

        private readonly Socket _socket;
        private readonly CancellationToken _deadline;
        private readonly CancellationToken _user;
        private readonly TimeSpan _closeBound;
        private ProbePhase _phase;
        private CancellationTokenRegistration _abortOnPhaseEnd;
        private IDisposable? _permit;
        private bool _connected;
        private int _closing;
        private readonly TaskCompletionSource<bool> _closed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        private Connection(Socket socket, ProbePhase connectPhase, CancellationToken deadline, CancellationToken user, TimeSpan closeBound)
        {
            _socket = socket;
            _phase = connectPhase;
            _deadline = deadline;
            _user = user;
            _closeBound = closeBound;
            _abortOnPhaseEnd = RegisterAbort(connectPhase);
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

        /// <summary>Completes once the connection is closed and its permit freed: at once, or after the server's close (see remarks).</summary>
        public Task Closed => _closed.Task;

        /// <summary>
        /// Connects, bounded by <paramref name="timeout"/>; the returned connection is in its "connect" phase. It holds
        /// <paramref name="permit"/> (the host's connection slot) and frees it when it closes or fails to open; closing
        /// waits at most <paramref name="closeBound"/> for the server's close (zero: not at all, where no slot depends on it).
        /// </summary>
        /// <exception cref="SocketException">Refused, unreachable, reset.</exception>
        /// <exception cref="OperationCanceledException">Timed out (see <see cref="ProbePhase.TimedOut"/>) or cancelled.</exception>
        public static async Task<Connection> OpenAsync(IPAddress address, int port, TimeSpan timeout, Transcript? transcript, CancellationToken deadline, CancellationToken user, IDisposable permit, TimeSpan closeBound)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var phase = new ProbePhase("connect", timeout, 0, deadline, user);
            var connection = new Connection(socket, phase, deadline, user, closeBound) { _permit = permit };
            try
            {
#if NET
                await socket.ConnectAsync(new IPEndPoint(address, port), phase.Token).ConfigureAwait(false);
#else
                await socket.ConnectAsync(new IPEndPoint(address, port)).ConfigureAwait(false);
#endif
                phase.Token.ThrowIfCancellationRequested();
                connection._connected = true;
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
            _abortOnPhaseEnd = RegisterAbort(_phase);
            return _phase;
        }

#if NET
        // The phase's token cancels the pending read or write itself; the socket stays open for an orderly close.
        private CancellationTokenRegistration RegisterAbort(ProbePhase phase) => default;
#else
        private CancellationTokenRegistration RegisterAbort(ProbePhase phase) => phase.Token.Register(CloseSocket);
#endif

        private void CloseSocket()
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
        /// Closes the connection and, where it waits for the server's close, lets that run on: <see cref="Closed"/>
        /// completes when the permit is free. Closing twice is harmless.
        /// </summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closing, 1) != 0)
            {
                return;
            }

            _abortOnPhaseEnd.Dispose();
            _phase.Dispose();
            if (_connected && _closeBound > TimeSpan.Zero)
            {
                _ = CloseAfterServerAsync();
            }
            else
            {
                CloseNow();
            }
        }

        private void CloseNow()
        {
            CloseSocket();
            Interlocked.Exchange(ref _permit, null)?.Dispose();
            _closed.TrySetResult(true);
        }

        private async Task CloseAfterServerAsync()
        {
            try
            {
#if NET
                _socket.Shutdown(SocketShutdown.Send);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(_user);
                wait.CancelAfter(_closeBound);
                for (var total = 0; total < MaxDiscarded;)
                {
                    var read = await _socket.ReceiveAsync(Discarded, SocketFlags.None, wait.Token).ConfigureAwait(false);
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
                // Gone already (reset), Ctrl+C, or the server keeps its side open: the bound is all it gets.
            }
            finally
            {
                CloseNow();
            }
        }
    }
}
