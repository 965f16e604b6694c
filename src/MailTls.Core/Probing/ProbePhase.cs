using System;
using System.Text;
using System.Threading;

namespace MailTls.Probing
{
    /// <summary>
    /// One bounded step of a probe (connect, greeting, STARTTLS reply, handshake, capabilities). It bounds
    /// the step as a whole, in time and in bytes received, so a server that drips a byte a second or floods
    /// a 100 KB banner is cut off just like a silent one. The guarded streams read the active phase.
    /// </summary>
    internal sealed class ProbePhase : IDisposable
    {
        private const int KeptBytes = 2048;
        private readonly CancellationTokenSource _cts;
        private readonly CancellationToken _userToken;
        private readonly byte[] _kept = new byte[KeptBytes];
        private int _keptCount;

        public ProbePhase(string name, TimeSpan timeout, int maxBytes, CancellationToken outer, CancellationToken userToken)
        {
            Name = name;
            Timeout = timeout;
            MaxBytes = maxBytes;
            _userToken = userToken;
            _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
            _cts.CancelAfter(timeout);
        }

        public string Name { get; }

        public TimeSpan Timeout { get; }

        public int MaxBytes { get; }

        public CancellationToken Token => _cts.Token;

        public long BytesReceived { get; private set; }

        public bool TooMuchData { get; private set; }

        public bool EndOfStream { get; private set; }

        /// <summary>True when the phase (or the probe's overall deadline) ran out, as opposed to the user pressing Ctrl+C.</summary>
        public bool TimedOut => _cts.IsCancellationRequested && !_userToken.IsCancellationRequested;

        /// <summary>The first bytes received in this phase, as text (for the greeting and for telling plaintext from TLS).</summary>
        public string ReceivedText => Encoding.ASCII.GetString(_kept, 0, _keptCount);

        public byte[] ReceivedBytes
        {
            get
            {
                var copy = new byte[_keptCount];
                Array.Copy(_kept, copy, _keptCount);
                return copy;
            }
        }

        /// <summary>Counts bytes a guarded stream received (keeping the first ones when asked); false once the phase has received more than it may.</summary>
        public bool Account(byte[] buffer, int offset, int count, bool keep)
        {
            if (count == 0)
            {
                EndOfStream = true;
                return true;
            }

            var kept = keep ? Math.Min(count, KeptBytes - _keptCount) : 0;
            if (kept > 0)
            {
                Array.Copy(buffer, offset, _kept, _keptCount, kept);
                _keptCount += kept;
            }

            BytesReceived += count;
            if (BytesReceived > MaxBytes)
            {
                TooMuchData = true;
                _cts.Cancel();
                return false;
            }

            return true;
        }

        public void Dispose() => _cts.Dispose();
    }
}
