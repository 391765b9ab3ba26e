import { TLS12_CIPHERS, type FtpLayout, type FtpSpec } from "../spec";

export type TlsDirective = readonly [string, string | boolean];

// vsftpd 3.0.3's "TLSv1" switch means every TLS version: the TLS 1.2 floor is OpenSSL's security
// level, named here so that a laxer openssl.cnf on the host cannot lower it.
export const TLS_CIPHERS = `${TLS12_CIPHERS}:@SECLEVEL=2`;

export function renderTlsDirectives(ftp: Pick<FtpSpec, "tls">, layout: FtpLayout): TlsDirective[] {
  // Written out even when off, so no compiled-in or distribution default can turn it on.
  if (ftp.tls === "off") return [["ssl_enable", false]];
  const required = ftp.tls === "required";
  return [
    ["ssl_enable", true],
    ["implicit_ssl", false],
    ["rsa_cert_file", layout.tlsCertificateFile],
    ["rsa_private_key_file", layout.tlsKeyFile],
    ["ssl_sslv2", false],
    ["ssl_sslv3", false],
    ["ssl_tlsv1", true],
    ["ssl_ciphers", TLS_CIPHERS],
    ["ssl_request_cert", false],
    ["allow_anon_ssl", false],
    ["force_local_logins_ssl", required],
    ["force_local_data_ssl", required],
    // Whoever guesses a passive port cannot take the transfer; basic-ftp and curl resume sessions.
    ["require_ssl_reuse", true],
    // A bare TCP FIN can be forged on the path: a cut-off upload gets 426, never 226. curl over
    // TLS 1.3 loses upload tails either way (docs/ftp.md).
    ["strict_ssl_read_eof", true],
  ];
}
