#!/usr/bin/env bash
# Installs the real mail servers the tests and the demo start on loopback (Postfix, Dovecot) and the trust-store
# tools the trust tests drive (update-ca-certificates, NSS certutil), and the mail clients the client tests run
# (msmtp, fetchmail, mbsync, neomutt, getmail, Thunderbird), the browser that renders the HTML reports (Chromium) and
# the sshd the remoting test runs; with --bench, the peers bench/ compares with (testssl.sh, sslscan, nmap);
# without letting the packages start or configure system daemons. Idempotent: does nothing when
# everything is already there. Needs root (CI and these machines run as root).
set -euo pipefail

need=()
# With --bench: also the peers bench/ measures MailTls against.
if [ "${1:-}" = "--bench" ]; then
    command -v testssl >/dev/null 2>&1 || need+=(testssl.sh)
    command -v sslscan >/dev/null 2>&1 || need+=(sslscan)
    command -v nmap >/dev/null 2>&1 || need+=(nmap)
fi
command -v postconf >/dev/null 2>&1 || need+=(postfix)
command -v dovecot >/dev/null 2>&1 || need+=(dovecot-core dovecot-imapd dovecot-pop3d)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# Trust-store tools the trust tests drive for real, each pointed at a sandbox.
command -v update-ca-certificates >/dev/null 2>&1 || need+=(ca-certificates)
command -v certutil >/dev/null 2>&1 || need+=(libnss3-tools)
# A real DNS server for the port-plan tests (SRV, MX, A records on loopback).
command -v dnsmasq >/dev/null 2>&1 || need+=(dnsmasq-base)
# A real HTTPS server for the autoconfig tests.
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
# The real mail clients the client-configurator tests run against the servers.
command -v msmtp >/dev/null 2>&1 || need+=(msmtp)
command -v fetchmail >/dev/null 2>&1 || need+=(fetchmail)
command -v mbsync >/dev/null 2>&1 || need+=(isync)
command -v neomutt >/dev/null 2>&1 || need+=(neomutt)
command -v getmail >/dev/null 2>&1 || need+=(getmail6)
# Thunderbird (headless, in a loopback-only network namespace) proves it reads the policies.json MailTls writes.
command -v thunderbird >/dev/null 2>&1 || need+=(thunderbird)
# A real browser (headless, loopback-only network) renders the HTML reports and keeps a screenshot.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# PowerShell remoting over SSH, the fan-out engine users own: a private sshd on loopback, and the ssh client.
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
# Python's plistlib reads the Apple Mail configuration profiles back in the tests.
command -v python3 >/dev/null 2>&1 || need+=(python3)
# A CI-style JUnit reader checks the JUnit reports (Debian's python3 reads it, whatever python is first on PATH).
/usr/bin/python3 -c 'import junitparser' >/dev/null 2>&1 || need+=(python3-junitparser)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-servers: need root to install: ${need[*]} (run: sudo $0)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Postfix asks how to configure itself; "No configuration" leaves the system MTA unset.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
# Keep package scripts from starting system-wide daemons: the tests run private instances.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=1
fi
trap '[ $created_policy -eq 1 ] && rm -f "$policy"' EXIT

apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-servers: installed ${need[*]}"
