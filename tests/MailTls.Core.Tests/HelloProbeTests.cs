using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MailTls.TestServers;
using MailTls.Tls;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>
    /// The version hello: what it offers, and how it reads every kind of answer. The answers a real server gives are
    /// asked of the real Dovecot; the malformed ones no real server sends come from scripted bytes.
    /// </summary>
    [Collection(ServerCollection.Name)]
    public sealed class HelloProbeTests
    {
        private const int Tls10 = 0x0301, Tls11 = 0x0302, Tls12 = 0x0303, Tls13 = 0x0304;

        [Fact]
        public void A_legacy_offer_names_its_highest_version_and_no_supported_versions()
        {
            var hello = Hello.Parse(HelloProbe.ClientHello("mail.example.com", new[] { Tls11, Tls10 }));
            Assert.Equal(Tls11, hello.Version);
            Assert.False(hello.Extensions.ContainsKey(0x002B));
            Assert.False(hello.Extensions.ContainsKey(0x0033));
            Assert.DoesNotContain(0x1301, hello.Suites);
            Assert.Contains(0x002F, hello.Suites); // RSA with AES-128-CBC-SHA, which every TLS 1.0 server has
        }

        [Fact]
        public void A_tls13_offer_lists_exactly_its_versions_with_a_key_share()
        {
            var hello = Hello.Parse(HelloProbe.ClientHello("mail.example.com", new[] { Tls13 }));
            Assert.Equal(Tls12, hello.Version); // TLS 1.3 hellos keep 1.2 there (RFC 8446 §4.1.2)
            Assert.Equal(new byte[] { 2, 0x03, 0x04 }, hello.Extensions[0x002B]);
            var share = hello.Extensions[0x0033];
            Assert.Equal(new byte[] { 0x00, 0x24, 0x00, 0x1D, 0x00, 0x20 }, share.Take(6).ToArray()); // one X25519 share of 32 bytes
            Assert.Equal(38, share.Length);
            Assert.Equal(Enumerable.Range(0x1301, 5), hello.Suites.Where(s => s >> 8 == 0x13));
            Assert.DoesNotContain(0xC02F, hello.Suites); // no TLS 1.2 suites in a TLS 1.3-only offer
        }

        [Fact]
        public void Nothing_offered_asks_for_a_fallback_and_the_name_goes_in_sni_only_when_it_is_one()
        {
            var named = Hello.Parse(HelloProbe.ClientHello("mail.example.com", new[] { Tls12 }));
            Assert.DoesNotContain(0x5600, named.Suites); // TLS_FALLBACK_SCSV would make servers refuse lower versions
            Assert.Contains(0x00FF, named.Suites);
            Assert.EndsWith("mail.example.com", System.Text.Encoding.ASCII.GetString(named.Extensions[0x0000]));
            Assert.False(Hello.Parse(HelloProbe.ClientHello("192.0.2.1", new[] { Tls12 })).Extensions.ContainsKey(0x0000));
            Assert.False(Hello.Parse(HelloProbe.ClientHello("2001:db8::1", new[] { Tls12 })).Extensions.ContainsKey(0x0000));
            Assert.Throws<ArgumentException>(() => HelloProbe.ClientHello("mail.example.com", new[] { 0x0300 }));
        }

        [Theory]
        [InlineData("mail.example.com")]
        [InlineData("192.0.2.1")]
        [InlineData("a-rather-long-name-for-a-mail-server.mail-hosting-provider.example.com")]
        public void No_offer_takes_a_shape_old_servers_break_on(string serverName)
        {
            foreach (var offer in new[] { new[] { Tls13 }, new[] { Tls12 }, new[] { Tls11, Tls10 }, new[] { Tls10 }, new[] { Tls13, Tls12, Tls11, Tls10 } })
            {
                var record = HelloProbe.ClientHello(serverName, offer);
                var hello = Hello.Parse(record);
                Assert.True(hello.Suites.Count < 128, $"{hello.Suites.Count} suites offered for {string.Join(",", offer)}");  // some servers take no more
                Assert.False(record.Length - 5 > 0xFF && record.Length - 5 < 0x200, $"a {record.Length - 5}-byte hello"); // F5's 256-511
                Assert.NotEmpty(hello.Extensions[hello.LastExtension]);                                                  // WebSphere's empty last extension
                Assert.Equal(hello.Suites.Count, hello.Suites.Distinct().Count());
            }
        }

        [Fact]
        public async Task A_warning_before_the_server_hello_is_read_past_and_a_fatal_alert_is_a_refusal()
        {
            var unrecognizedName = Record(0x15, new byte[] { 1, 112 });
            var serverHello = Record(0x16, ServerHello(Tls12, extensions: null));
            Assert.Equal(Tls12, await AnswerAsync(unrecognizedName.Concat(serverHello).ToArray()));
            Assert.Equal(0, await AnswerAsync(Record(0x15, new byte[] { 2, 40 }).Concat(serverHello).ToArray()));         // handshake_failure
            Assert.Equal(0, await AnswerAsync(Record(0x15, new byte[] { 1, 0 }).Concat(serverHello).ToArray()));          // close_notify
            var manyWarnings = Enumerable.Repeat(unrecognizedName, 5).SelectMany(r => r).Concat(serverHello).ToArray();
            Assert.Equal(0, await AnswerAsync(manyWarnings));                                                             // no endless warnings
        }

        [Fact]
        public async Task A_hello_retry_request_names_tls13()
        {
            // RFC 8446 §4.1.3: a ServerHello whose random is SHA-256("HelloRetryRequest"), asking for another key share.
            var retry = ServerHello(Tls12, extensions: Extension(0x002B, 0x03, 0x04).Concat(Extension(0x0033, 0x00, 0x17)).ToArray());
            var random = Convert.FromHexString("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");
            Array.Copy(random, 0, retry, 4 + 2, 32);
            Assert.Equal(Tls13, await AnswerAsync(Record(0x16, retry)));
        }

        [Fact]
        public async Task Oversized_or_cut_answers_choose_no_version()
        {
            var huge = new byte[] { 0x16, 3, 3, 0x48, 0x01 };                                                             // a record over 18 KB
            Assert.Equal(0, await AnswerAsync(huge.Concat(new byte[0x4801]).ToArray()));
            Assert.Equal(0, await AnswerAsync(Record(0x16, new byte[] { 0x02, 0x01, 0x00, 0x01, 0, 0 })));               // a 64 KB+ ServerHello
            Assert.Equal(0, await AnswerAsync(Record(0x16, ServerHello(Tls12, extensions: Extension(0x002B, 0x03)))));   // supported_versions cut short
        }

        [Fact]
        public async Task A_server_hello_is_read_by_its_supported_versions_even_split_across_records()
        {
            var serverHello = ServerHello(Tls12, extensions: Extension(0x002B, 0x03, 0x04));
            Assert.Equal(Tls13, await AnswerAsync(Record(0x16, serverHello)));
            // The same message in three records (a record may hold any part of a handshake message).
            var split = Record(0x16, serverHello.Take(3).ToArray()).Concat(Record(0x16, serverHello.Skip(3).Take(30).ToArray())).Concat(Record(0x16, serverHello.Skip(33).ToArray()));
            Assert.Equal(Tls13, await AnswerAsync(split.ToArray()));
        }

        [Fact]
        public async Task A_legacy_server_hello_without_extensions_names_its_own_version()
        {
            Assert.Equal(Tls10, await AnswerAsync(Record(0x16, ServerHello(Tls10, extensions: null))));
            Assert.Equal(Tls12, await AnswerAsync(Record(0x16, ServerHello(Tls12, extensions: Extension(0xFF01, 0x00)))));
        }

        [Fact]
        public async Task Refusals_and_garbage_choose_no_version()
        {
            Assert.Equal(0, await AnswerAsync(Record(0x15, new byte[] { 2, 70 })));                       // protocol_version alert
            Assert.Equal(0, await AnswerAsync(System.Text.Encoding.ASCII.GetBytes("* OK IMAP ready\r\n"))); // a plaintext service
            Assert.Equal(0, await AnswerAsync(Array.Empty<byte>()));                                         // closed
            Assert.Equal(0, await AnswerAsync(Record(0x16, new byte[] { 0x0B, 0, 0, 1, 0 })));               // a Certificate first
            Assert.Equal(0, await AnswerAsync(Record(0x16, ServerHello(Tls12, extensions: null).Take(20).ToArray()))); // cut short, then closed
            var lying = ServerHello(Tls12, extensions: null);
            lying[4 + 2 + 32] = 200;                                                                         // a session id longer than the message
            Assert.Equal(0, await AnswerAsync(Record(0x16, lying)));
        }

        [RealServerFact]
        public async Task The_real_dovecot_answers_each_offer_as_its_configuration_says()
        {
            Assert.Equal(Tls13, await AskAsync("good", new[] { Tls13 }));
            Assert.Equal(Tls12, await AskAsync("good", new[] { Tls12 }));
            Assert.Equal(Tls13, await AskAsync("good", new[] { Tls13, Tls12, Tls11, Tls10 }));
            Assert.Equal(0, await AskAsync("good", new[] { Tls11, Tls10 }));    // ssl_min_protocol = TLSv1.2
            Assert.Equal(Tls11, await AskAsync("legacytls", new[] { Tls11, Tls10 }));
            Assert.Equal(Tls10, await AskAsync("legacytls", new[] { Tls10 }));
            Assert.Equal(0, await AskAsync("tls13only", new[] { Tls12 }));
        }

        private static async Task<int> AskAsync(string serverCase, int[] offer)
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await client.ConnectAsync(System.Net.IPAddress.Parse(ServerFixture.Address(serverCase)), Ports.Imaps, timeout.Token);
            return await HelloProbe.ChosenVersionAsync(client.GetStream(), "mail.mailtls.test", offer, timeout.Token);
        }

        private static async Task<int> AnswerAsync(byte[] answer)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await HelloProbe.ChosenVersionAsync(new ScriptedPeer(answer), "mail.example.com", new[] { Tls12 }, timeout.Token);
        }

        private static byte[] ServerHello(int version, byte[]? extensions)
        {
            var body = new List<byte> { (byte)(version >> 8), (byte)version };
            body.AddRange(new byte[32]);            // random
            body.Add(0);                            // no session id
            body.AddRange(new byte[] { 0x13, 0x01 }); // cipher suite
            body.Add(0);                            // compression
            if (extensions != null)
            {
                body.AddRange(new[] { (byte)(extensions.Length >> 8), (byte)extensions.Length });
                body.AddRange(extensions);
            }

            return new byte[] { 0x02, 0, (byte)(body.Count >> 8), (byte)body.Count }.Concat(body).ToArray();
        }

        private static byte[] Extension(int type, params byte[] data) =>
            new[] { (byte)(type >> 8), (byte)type, (byte)(data.Length >> 8), (byte)data.Length }.Concat(data).ToArray();

        private static byte[] Record(byte type, byte[] fragment) =>
            new byte[] { type, 3, 3, (byte)(fragment.Length >> 8), (byte)fragment.Length }.Concat(fragment).ToArray();

        /// <summary>A ClientHello taken apart the way a server reads it (RFC 8446 §4.1.2).</summary>
        private sealed class Hello
        {
            public int Version { get; private set; }

            public List<int> Suites { get; } = new List<int>();

            public Dictionary<int, byte[]> Extensions { get; } = new Dictionary<int, byte[]>();

            public int LastExtension { get; private set; }

            public static Hello Parse(byte[] record)
            {
                Assert.Equal(0x16, record[0]);
                Assert.Equal((record[3] << 8) | record[4], record.Length - 5);
                var at = 5;
                Assert.Equal(0x01, record[at]);
                Assert.Equal((record[at + 1] << 16) | (record[at + 2] << 8) | record[at + 3], record.Length - 9);
                at += 4;
                var hello = new Hello { Version = (record[at] << 8) | record[at + 1] };
                at += 2 + 32;
                at += 1 + record[at];
                var suitesEnd = at + 2 + ((record[at] << 8) | record[at + 1]);
                for (at += 2; at < suitesEnd; at += 2)
                {
                    hello.Suites.Add((record[at] << 8) | record[at + 1]);
                }

                Assert.Equal(new byte[] { 1, 0 }, record.Skip(at).Take(2).ToArray()); // the null compression only
                at += 2;
                var extensionsEnd = at + 2 + ((record[at] << 8) | record[at + 1]);
                Assert.Equal(record.Length, extensionsEnd);
                for (at += 2; at < extensionsEnd;)
                {
                    var type = (record[at] << 8) | record[at + 1];
                    var length = (record[at + 2] << 8) | record[at + 3];
                    hello.Extensions.Add(type, record.Skip(at + 4).Take(length).ToArray());
                    hello.LastExtension = type;
                    at += 4 + length;
                }

                return hello;
            }
        }

        /// <summary>A peer that takes whatever is written and answers with fixed bytes, then closes.</summary>
        private sealed class ScriptedPeer : Stream
        {
            private readonly MemoryStream _answer;

            public ScriptedPeer(byte[] answer) => _answer = new MemoryStream(answer);

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count) => _answer.Read(buffer, offset, Math.Min(count, 7)); // a few bytes at a time

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count)
            {
            }
        }
    }
}
