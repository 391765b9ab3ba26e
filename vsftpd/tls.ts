/**
 * FTPS for vsftpd: explicit TLS (AUTH TLS on the control port) with the stack's certificate and
 * key. Pure: the directives and the two PEM files follow from ftp.tls and the secrets alone.
 */
import type { FtpLayout, FtpSpec } from "../spec";

export type TlsDirective = readonly [string, string | boolean];

/**
 * TLS 1.2 and 1.3 only. vsftpd 3.0.3 (Debian bookworm) has switches for SSLv2, SSLv3 and
 * "TLSv1" (meaning every TLS version); the floor comes from OpenSSL's security level, which
 * refuses TLS 1.0 and 1.1 from level 1 up. Naming it here keeps it when a host's openssl.cnf
 * is laxer. HIGH drops export, RC4, 3DES and other weak suites; TLS 1.3 suites are not affected.
 */
export const TLS_CIPHERS = "HIGH:!aNULL:!MD5:!3DES:@SECLEVEL=2";

export function renderTlsDirectives(ftp: Pick<FtpSpec, "tls">, layout: FtpLayout): TlsDirective[] {
  // Written out even when off, so no compiled-in or distribution default can turn it on.
  if (ftp.tls === "off") return [["ssl_enable", false]];
  const required = ftp.tls === "required";
  return [
    ["ssl_enable", true],
    // Explicit FTPS on the control port; implicit FTPS (a TLS-only port, 990) is obsolete.
    ["implicit_ssl", false],
    ["rsa_cert_file", layout.tlsCertificateFile],
    ["rsa_private_key_file", layout.tlsKeyFile],
    ["ssl_sslv2", false],
    ["ssl_sslv3", false],
    ["ssl_tlsv1", true],
    ["ssl_ciphers", TLS_CIPHERS],
    // No client certificates: asking for one only confuses some clients.
    ["ssl_request_cert", false],
    ["allow_anon_ssl", false],
    // required: USER before AUTH TLS gets 530 and the connection closes; a transfer after PROT C
    // gets 522. enabled: both stay allowed.
    ["force_local_logins_ssl", required],
    ["force_local_data_ssl", required],
    // Data connections must resume the control connection's TLS session, so whoever guesses a
    // passive port cannot take the transfer. vsftpd's default; basic-ftp 5 and curl 7.88 resume
    // (vsftpd's debug_ssl logs "reused" for every data connection, TLS 1.2 and 1.3 alike).
    ["require_ssl_reuse", true],
    // An upload must end with a TLS close_notify, not a bare TCP FIN that anyone on the path can
    // forge: a cut-off upload is answered 426, never 226. Checked: basic-ftp and curl (TLS 1.2;
    // curl 7.88 over TLS 1.3 loses upload tails either way, see docs/ftp.md) end theirs properly.
    ["strict_ssl_read_eof", true],
  ];
}
