using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.Probing
{
    /// <summary>
    /// Yields a few fixed bytes, then reads from the wrapped stream. Used to hand MailKit an encrypted session
    /// after a STARTTLS the probe performed itself: MailKit has no public way to resume a session it did not
    /// upgrade, so it is given a local greeting line (never from the server, never reported) and then re-reads
    /// the capabilities on the TLS session, which is exactly the "forget everything before TLS" rule.
    /// </summary>
    internal sealed class PrefixedStream : WrappingStream
    {
        private readonly byte[] _prefix;
        private int _position;

        public PrefixedStream(byte[] prefix, Stream inner)
            : base(inner) => _prefix = prefix;

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (_position < _prefix.Length)
            {
                var n = Math.Min(count, _prefix.Length - _position);
                Array.Copy(_prefix, _position, buffer, offset, n);
                _position += n;
                return Task.FromResult(n);
            }

            return Inner.ReadAsync(buffer, offset, count, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Inner.WriteAsync(buffer, offset, count, cancellationToken);
    }
}
