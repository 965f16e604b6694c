using System.Collections.Generic;
using System.Text;

namespace MailTls.Probing
{
    /// <summary>A bounded, printable record of the dialog. The probe never sends a secret, so nothing needs redacting.</summary>
    internal sealed class Transcript
    {
        private const int MaxLines = 400;
        private const int MaxLineLength = 240;
        private readonly List<string> _lines = new List<string>();
        private readonly StringBuilder _pendingServer = new StringBuilder();
        private readonly StringBuilder _pendingClient = new StringBuilder();

        public IReadOnlyList<string> Lines
        {
            get
            {
                Flush(_pendingClient, "C: ");
                Flush(_pendingServer, "S: ");
                return _lines.ToArray();
            }
        }

        public void Note(string text)
        {
            Flush(_pendingClient, "C: ");
            Flush(_pendingServer, "S: ");
            Add("-- " + text);
        }

        public void Server(byte[] buffer, int offset, int count)
        {
            Flush(_pendingClient, "C: ");
            Append(_pendingServer, "S: ", buffer, offset, count);
        }

        public void Client(byte[] buffer, int offset, int count)
        {
            Flush(_pendingServer, "S: ");
            Append(_pendingClient, "C: ", buffer, offset, count);
        }

        private void Append(StringBuilder pending, string prefix, byte[] buffer, int offset, int count)
        {
            for (var i = offset; i < offset + count; i++)
            {
                var b = buffer[i];
                if (b == (byte)'\n')
                {
                    Flush(pending, prefix);
                }
                else if (b != (byte)'\r' && pending.Length < MaxLineLength)
                {
                    pending.Append(b >= 0x20 && b < 0x7f ? (char)b : '.');
                }
            }
        }

        private void Flush(StringBuilder pending, string prefix)
        {
            if (pending.Length > 0)
            {
                Add(prefix + pending);
                pending.Clear();
            }
        }

        private void Add(string line)
        {
            if (_lines.Count < MaxLines)
            {
                _lines.Add(line);
            }
            else if (_lines.Count == MaxLines)
            {
                _lines.Add("-- transcript truncated");
            }
        }
    }
}
