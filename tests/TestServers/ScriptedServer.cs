using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.TestServers
{
    /// <summary>
    /// Scripted servers, named so: only for behaviour no real Postfix or Dovecot shows. Each listens on its own
    /// port of 127.0.0.50 and plays one hostile or broken script to every client.
    /// </summary>
    public enum Script
    {
        /// <summary>SMTP: bytes injected right after "220 Ready" to STARTTLS, then a real TLS handshake.</summary>
        SmtpStartTlsInjection,

        /// <summary>SMTP: advertises STARTTLS, answers it with 454.</summary>
        SmtpStartTls454,

        /// <summary>SMTP: answers STARTTLS with 220, then closes the connection.</summary>
        SmtpCloseAfterStartTls,

        /// <summary>Accepts the connection and never says anything.</summary>
        Silent,

        /// <summary>SMTP greeting dripped at one byte per second.</summary>
        Drip,

        /// <summary>SMTP greeting of more than 100 KB (a multi-line 220).</summary>
        HugeBanner,

        /// <summary>POP3 port that answers with binary garbage.</summary>
        GarbagePop3,

        /// <summary>IMAP greeting PREAUTH on a plaintext port that also claims STARTTLS.</summary>
        ImapPreAuth,

        /// <summary>SMTP: "220 Ready", then, in a second segment a moment later, injected bytes, then TLS.</summary>
        SmtpStartTlsLateInjection,

        /// <summary>SMTP: answers STARTTLS with 220, then says nothing (the client hangs in its handshake).</summary>
        SmtpStallAfterStartTls,

        /// <summary>Reports how many connections the Silent script holds open right now ("open=N").</summary>
        SilentStats,
    }

    public sealed class ScriptedServer : IDisposable
    {
        public const string Address = "127.0.0.50";
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly SslStreamCertificateContext _certificate;
        private readonly ScriptedServer? _statsOf;
        private readonly ConnectionCounter? _counter;
        private int _open;
        private static readonly TimeSpan CountingDelay = TimeSpan.FromMilliseconds(100);

        /// <param name="address">Where to listen (default <see cref="Address"/>).</param>
        /// <param name="counter">Counts connections across several listeners (the stalling host's ports), for SilentStats.</param>
        public ScriptedServer(Script script, int port, SslStreamCertificateContext certificate, ScriptedServer? statsOf = null, string? address = null, ConnectionCounter? counter = null)
        {
            _statsOf = statsOf;
            _counter = counter;
            Script = script;
            Port = port;
            _certificate = certificate;
            _listener = new TcpListener(IPAddress.Parse(address ?? Address), port);
            _listener.Start();
            _ = AcceptLoopAsync();
        }

        public Script Script { get; }

        public int Port { get; }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    Interlocked.Increment(ref _open);
                    if (Script != Script.SilentStats)
                    {
                        _counter?.Enter();
                    }

                    using (client)
                    {
                        try
                        {
                            await PlayAsync(client.GetStream(), _stop.Token);
                        }
                        catch (Exception ex) when (ex is IOException || ex is OperationCanceledException || ex is SocketException || ex is ObjectDisposedException || ex is System.Security.Authentication.AuthenticationException)
                        {
                            // The client went away; that is what clients of hostile servers do.
                        }
                        finally
                        {
                            Interlocked.Decrement(ref _open);
                            if (Script != Script.SilentStats)
                            {
                                _counter?.Exit();
                            }
                        }
                    }
                });
            }
        }

        private async Task PlayAsync(NetworkStream stream, CancellationToken token)
        {
            switch (Script)
            {
                case Script.Silent:
                    // Reads (and drops) whatever comes, never writes: the connection counts as open until the client goes.
                    var sink = new byte[4096];
                    while (await stream.ReadAsync(sink, token) > 0)
                    {
                    }

                    if (_counter != null)
                    {
                        // The stalling host takes a moment to count a client gone, as Postfix's smtpd takes to tell its
                        // anvil: a client that hands its slot on before this host has closed its side looks like one too many.
                        await Task.Delay(CountingDelay, token);
                    }

                    break;
                case Script.SilentStats when _counter != null:
                    // The most held at once since the last question, then start counting again.
                    await Write(stream, $"peak={_counter.TakePeak()}\r\n", token);
                    break;
                case Script.SilentStats:
                    await Write(stream, $"open={Volatile.Read(ref _statsOf!._open)}\r\n", token);
                    break;
                case Script.Drip:
                    foreach (var b in Encoding.ASCII.GetBytes("220 dripping.mailtls.test ESMTP, one byte a second, forever and ever\r\n"))
                    {
                        await stream.WriteAsync(new[] { b }, token);
                        await Task.Delay(1000, token);
                    }

                    break;
                case Script.HugeBanner:
                    var line = Encoding.ASCII.GetBytes("220-" + new string('x', 996) + "\r\n");
                    for (var i = 0; i < 110; i++)
                    {
                        await stream.WriteAsync(line, token);
                    }

                    await Write(stream, "220 end of banner\r\n", token);
                    await Task.Delay(Timeout.Infinite, token);
                    break;
                case Script.GarbagePop3:
                    var garbage = new byte[512];
                    new Random(7).NextBytes(garbage);
                    garbage[0] = 0x7f;
                    await stream.WriteAsync(garbage, token);
                    await Task.Delay(Timeout.Infinite, token);
                    break;
                case Script.ImapPreAuth:
                    await Write(stream, "* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] scripted server, already logged in\r\n", token);
                    await ImapAsync(stream, token);
                    break;
                default:
                    await SmtpAsync(stream, token);
                    break;
            }
        }

        private async Task ImapAsync(Stream stream, CancellationToken token)
        {
            var reader = new LineReader(stream);
            while (await reader.ReadLineAsync(token) is { } line)
            {
                var parts = line.Split(' ', 3);
                var tag = parts[0];
                var command = parts.Length > 1 ? parts[1].ToUpperInvariant() : string.Empty;
                await Write(stream, command switch
                {
                    "CAPABILITY" => $"* CAPABILITY IMAP4rev1 STARTTLS\r\n{tag} OK done\r\n",
                    "LOGOUT" => $"* BYE bye\r\n{tag} OK done\r\n",
                    "NAMESPACE" => $"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n{tag} OK done\r\n",
                    "LIST" => $"* LIST () \"/\" INBOX\r\n{tag} OK done\r\n",
                    _ => $"{tag} BAD not in this script\r\n",
                }, token);
                if (command == "LOGOUT")
                {
                    return;
                }
            }
        }

        private async Task SmtpAsync(Stream network, CancellationToken token)
        {
            Stream stream = network;
            var reader = new LineReader(stream);
            var secure = false;
            await Write(stream, "220 scripted.mailtls.test ESMTP scripted server\r\n", token);
            while (await reader.ReadLineAsync(token) is { } line)
            {
                var verb = line.Split(' ')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await Write(stream, secure ? "250-scripted.mailtls.test\r\n250 AUTH PLAIN\r\n" : "250-scripted.mailtls.test\r\n250 STARTTLS\r\n", token);
                        break;
                    case "STARTTLS" when Script == Script.SmtpStartTls454:
                        await Write(stream, "454 4.7.0 TLS not available due to local problem\r\n", token);
                        break;
                    case "STARTTLS" when Script == Script.SmtpCloseAfterStartTls:
                        await Write(stream, "220 2.0.0 Ready to start TLS\r\n", token);
                        return;
                    case "STARTTLS" when Script == Script.SmtpStallAfterStartTls:
                        await Write(stream, "220 2.0.0 Ready to start TLS\r\n", token);
                        await Task.Delay(Timeout.Infinite, token);
                        return;
                    case "STARTTLS" when Script == Script.SmtpStartTlsLateInjection:
                        await Write(stream, "220 2.0.0 Ready to start TLS\r\n", token);
                        await Task.Delay(200, token);
                        await Write(stream, "250-INJECTED-LATE\r\n250 AUTH CRAM-MD5\r\n", token);
                        await Task.Delay(Timeout.Infinite, token);
                        return;
                    case "STARTTLS":
                        // The injection: the reply and a forged one in the same segment, before any TLS.
                        await Write(stream, "220 2.0.0 Ready to start TLS\r\n250-injected.example\r\n250 AUTH CRAM-MD5 DIGEST-MD5\r\n", token);
                        var ssl = new SslStream(network, false);
                        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = _certificate }, token);
                        stream = ssl;
                        reader = new LineReader(stream);
                        secure = true;
                        break;
                    case "QUIT":
                        await Write(stream, "221 2.0.0 Bye\r\n", token);
                        return;
                    default:
                        await Write(stream, "502 5.5.2 not in this script\r\n", token);
                        break;
                }
            }
        }

        private static Task Write(Stream stream, string text, CancellationToken token) =>
            stream.WriteAsync(Encoding.ASCII.GetBytes(text), token).AsTask();

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }

        /// <summary>Reads CRLF lines, at most 4 KB each, byte by byte (scripts must not buffer past a STARTTLS).</summary>
        private sealed class LineReader(Stream stream)
        {
            public async Task<string?> ReadLineAsync(CancellationToken token)
            {
                var line = new List<byte>();
                var one = new byte[1];
                while (line.Count < 4096)
                {
                    if (await stream.ReadAsync(one, token) == 0)
                    {
                        return null;
                    }

                    if (one[0] == '\n')
                    {
                        return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
                    }

                    line.Add(one[0]);
                }

                return null;
            }
        }
    }

    /// <summary>Connections open at once across listeners, and the most since last asked.</summary>
    public sealed class ConnectionCounter
    {
        private int _open;
        private int _peak;

        public void Enter()
        {
            var now = Interlocked.Increment(ref _open);
            int peak;
            while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
            {
            }
        }

        public void Exit() => Interlocked.Decrement(ref _open);

        public int TakePeak() => Interlocked.Exchange(ref _peak, Volatile.Read(ref _open));
    }
}
