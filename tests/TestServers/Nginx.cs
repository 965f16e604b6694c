using System;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace MailTls.TestServers
{
    /// <summary>
    /// A real web server (nginx) on the good case's address, ports 443 and 80, serving autoconfig files for the
    /// port-plan tests: a good file over HTTPS, one only over HTTP, an HTML page, and one larger than any real file.
    /// </summary>
    public sealed class Nginx : IDisposable
    {
        private readonly Process _process;

        public Nginx(string directory, TestPki pki, string autoconfigXml)
        {
            var www = Path.Combine(directory, "www");
            var plain = Path.Combine(directory, "www-http");
            Directory.CreateDirectory(Path.Combine(www, "mail"));
            Directory.CreateDirectory(Path.Combine(www, ".well-known", "autoconfig", "mail"));
            Directory.CreateDirectory(Path.Combine(plain, ".well-known", "autoconfig", "mail"));
            File.WriteAllText(Path.Combine(www, "mail", "config-v1.1.xml"), autoconfigXml);
            File.WriteAllText(Path.Combine(www, ".well-known", "autoconfig", "mail", "config-v1.1.xml"), autoconfigXml);
            File.WriteAllText(Path.Combine(plain, ".well-known", "autoconfig", "mail", "config-v1.1.xml"), autoconfigXml.Replace("srv.mailtls.test", "httponly.mailtls.test"));
            var address = ServerCase.All[0].Address;
            var leaf = pki.IssueLeaf("web", LeafKind.Good, new[] { $"autoconfig.{Dnsmasq.Domain}", Dnsmasq.Domain, "html.mailtls.test", "huge.mailtls.test", $"autoconfig.{Dnsmasq.AutoconfigOnly}" });
            var autoconfigOnly = Path.Combine(directory, "aconly");
            Directory.CreateDirectory(Path.Combine(autoconfigOnly, "mail"));
            File.WriteAllText(Path.Combine(autoconfigOnly, "mail", "config-v1.1.xml"), autoconfigXml.Replace(Dnsmasq.Domain, Dnsmasq.AutoconfigOnly));
            Directory.CreateDirectory(Path.Combine(directory, "html"));
            File.WriteAllText(Path.Combine(directory, "html", "index.html"), "<html><body>Welcome</body></html>");
            Directory.CreateDirectory(Path.Combine(directory, "huge", ".well-known", "autoconfig", "mail"));
            File.WriteAllText(Path.Combine(directory, "huge", ".well-known", "autoconfig", "mail", "config-v1.1.xml"),
                "<clientConfig><emailProvider>" + new string(' ', 3 * 1024 * 1024) + "</emailProvider></clientConfig>");
            var config = new StringBuilder()
                .AppendLine($"pid {directory}/nginx.pid;")
                .AppendLine($"error_log {directory}/error.log;")
                .AppendLine("events { worker_connections 64; }")
                .AppendLine("http {")
                .AppendLine("  access_log off;")
                .AppendLine("  default_type application/xml;")
                .AppendLine($"  client_body_temp_path {directory}/tmp; proxy_temp_path {directory}/tmp; fastcgi_temp_path {directory}/tmp; uwsgi_temp_path {directory}/tmp; scgi_temp_path {directory}/tmp;")
                .AppendLine($"  server {{ listen {address}:443 ssl; server_name autoconfig.{Dnsmasq.Domain} {Dnsmasq.Domain}; ssl_certificate {leaf.Chain}; ssl_certificate_key {leaf.Key}; root {www}; }}")
                .AppendLine($"  server {{ listen {address}:443 ssl; server_name html.mailtls.test; ssl_certificate {leaf.Chain}; ssl_certificate_key {leaf.Key}; root {directory}/html; location / {{ try_files /index.html =404; }} }}")
                .AppendLine($"  server {{ listen {address}:443 ssl; server_name huge.mailtls.test; ssl_certificate {leaf.Chain}; ssl_certificate_key {leaf.Key}; root {directory}/huge; }}")
                .AppendLine($"  server {{ listen {address}:80; server_name httponly.mailtls.test; root {plain}; }}")
                .AppendLine($"  server {{ listen {address}:443 ssl; server_name autoconfig.{Dnsmasq.AutoconfigOnly}; ssl_certificate {leaf.Chain}; ssl_certificate_key {leaf.Key}; root {autoconfigOnly}; }}")
                .AppendLine("}");
            Directory.CreateDirectory(Path.Combine(directory, "tmp"));
            var file = Path.Combine(directory, "nginx.conf");
            File.WriteAllText(file, config.ToString());
            var start = new ProcessStartInfo("nginx") { UseShellExecute = false, RedirectStandardError = true };
            foreach (var argument in new[] { "-p", directory, "-c", file, "-g", "daemon off; user root;" })
            {
                start.ArgumentList.Add(argument);
            }

            _process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start.");
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }
    }
}
