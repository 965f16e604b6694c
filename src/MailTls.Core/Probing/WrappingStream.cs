using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.Probing
{
    /// <summary>
    /// A non-seekable read/write stream over another, async first: subclasses override the two async calls,
    /// and the synchronous ones run through them. It never closes what it wraps: the probe owns the socket,
    /// while MailKit and SslStream dispose the streams they were given.
    /// </summary>
    internal abstract class WrappingStream : Stream
    {
        protected WrappingStream(Stream inner) => Inner = inner;

        protected Stream Inner { get; }

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

        public abstract override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken);

        public abstract override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush() => Inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => Inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
