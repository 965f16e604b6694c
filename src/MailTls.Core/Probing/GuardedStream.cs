using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.Probing
{
    /// <summary>
    /// The stream every protocol library reads through. It holds the active <see cref="ProbePhase"/>'s
    /// deadline and byte budget over every read, whoever reads (MailKit, SslStream, BouncyCastle), keeps
    /// the bytes for the transcript, and never closes what it wraps: the probe owns the socket.
    /// </summary>
    internal sealed class GuardedStream : Stream
    {
        private readonly Stream _inner;
        private readonly Func<ProbePhase> _phase;
        private readonly Transcript? _transcript;

        public GuardedStream(Stream inner, Func<ProbePhase> phase, Transcript? transcript)
        {
            _inner = inner;
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

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override bool CanTimeout => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            var phase = _phase();
            phase.Token.ThrowIfCancellationRequested();
            int read;
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, phase.Token))
            {
                read = await _inner.ReadAsync(buffer, offset, count, linked.Token).ConfigureAwait(false);
            }

            if (Recording && read > 0)
            {
                _transcript?.Server(buffer, offset, read);
            }

            if (!phase.Account(buffer, offset, read, keep: KeepReceived))
            {
                throw new IOException($"The server sent more than {phase.MaxBytes} bytes during the {phase.Name}.");
            }

            return read;
        }

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            var phase = _phase();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, phase.Token);
            if (Recording)
            {
                _transcript?.Client(buffer, offset, count);
            }

            await _inner.WriteAsync(buffer, offset, count, linked.Token).ConfigureAwait(false);
        }

        public override void Flush() => _inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        // Deliberately no Dispose override that closes _inner: MailKit and SslStream dispose the streams
        // they were given, and the probe must decide when the connection ends.
    }
}
