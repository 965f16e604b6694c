using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.TestServers
{
    /// <summary>
    /// A scripted DNS server on 127.0.0.53:53 (UDP) that answers every query "no such name" (NXDOMAIN). Tests point a
    /// private resolv.conf (in their own mount namespace) at it, so a lookup of an unknown name fails here, at once,
    /// and no query ever leaves the machine.
    /// </summary>
    public sealed class ScriptedDnsServer : IDisposable
    {
        public const string Address = "127.0.0.53";
        private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Parse(Address), 53));
        private readonly CancellationTokenSource _stop = new();

        public ScriptedDnsServer() => _ = AnswerAsync();

        private async Task AnswerAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                UdpReceiveResult query;
                try
                {
                    query = await _socket.ReceiveAsync(_stop.Token);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                var request = query.Buffer;
                if (request.Length < 12)
                {
                    continue;
                }

                // The same message back, as a response: QR=1, the request's RD, RA=1, RCODE=3 (NXDOMAIN), no answers.
                var reply = (byte[])request.Clone();
                reply[2] = (byte)(0x80 | (request[2] & 0x01));
                reply[3] = 0x83;
                reply[6] = reply[7] = reply[8] = reply[9] = reply[10] = reply[11] = 0;
                var end = QuestionEnd(request);
                if (end < 0)
                {
                    continue;
                }

                Array.Resize(ref reply, end);
                await _socket.SendAsync(reply, query.RemoteEndPoint, _stop.Token);
            }
        }

        /// <summary>The end of the first question (name, type, class), or -1: the reply repeats the question only.</summary>
        private static int QuestionEnd(byte[] message)
        {
            var at = 12;
            while (at < message.Length && message[at] != 0)
            {
                at += message[at] + 1;
            }

            at += 1 + 4;
            return at <= message.Length ? at : -1;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _socket.Dispose();
        }
    }
}
