/**
 * The TLS 1.2 suites both servers offer: forward secrecy (ECDHE) and AEAD only. TLS 1.3 has
 * its own suites, all of them strong. No DHE: it needs a dhparam file and adds nothing over
 * ECDHE for today's clients; no CBC suites (padding-oracle history, SHA-1 MACs).
 */
export const TLS12_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");
