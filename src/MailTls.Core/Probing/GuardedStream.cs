using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.Probing
{
    /// <summary>
    /// The stream every protocol library reads through. It holds the active <see cref="ProbePhase"/>'s
    /// deadline and byte budget over every read, whoever reads (MailKit, SslStream, BouncyCastle),
    /// and writes the dialog to the transcript.
    /// </summary>
    internal sealed class GuardedStream : WrappingStream
    {
        private readonly Func<ProbePhase> _phase;
        private readonly Transcript? _transcript;

        public GuardedStream(Stream inner, Func<ProbePhase> phase, Transcript? transcript)
            : base(inner)
        {
            _phase = phase;
            _transcript = transcript;
        }

        /// <summary>Whether traffic is written to the transcript (off while TLS records pass beneath SslStream).</summary>
        public bool Recording { get; set; } = true;

        /// <summary>
        /// Whether the first bytes of each phase are kept as its received text (the greeting; a plaintext answer
        /// to a ClientHello). Off once TLS is established, so the text is what the TLS stream above decrypted.
        /// </summary>
        public bool KeepReceived { get; set; } = true;

        /// <summary>
        /// Whether reads count against the phase's byte budget. Off beneath an established TLS session, where the
        /// stream above counts the decrypted bytes (counting both would halve the budget).
        /// </summary>
        public bool CountsBytes { get; set; } = true;

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            var phase = _phase();
            phase.Token.ThrowIfCancellationRequested();
            int read;
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, phase.Token))
            {
                read = await Inner.ReadAsync(buffer, offset, count, linked.Token).ConfigureAwait(false);
            }

            if (Recording && read > 0)
            {
                _transcript?.Server(buffer, offset, read);
            }

            if ((CountsBytes || read == 0) && !phase.Account(buffer, offset, read, keep: KeepReceived))
            {
                throw new IOException($"The server sent more than {phase.MaxBytes} bytes during the {phase.Name}.");
            }

            return read;
        }

        public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            var phase = _phase();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, phase.Token);
            if (Recording)
            {
                _transcript?.Client(buffer, offset, count);
            }

            await Inner.WriteAsync(buffer, offset, count, linked.Token).ConfigureAwait(false);
        }
    }
}
