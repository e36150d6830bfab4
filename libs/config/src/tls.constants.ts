/** Messages of the TLS-related environment variables and of caller certificate identities. */
export const TLS_MESSAGES = Object.freeze({
  clientAuth: "must be one of: none, optional, require",
  keyWithoutCert: 'needs TLS_CERT_FILE: a key alone serves nothing',
  certWithoutKey: 'needs TLS_KEY_FILE (the private key of the certificate)',
  caWithoutCert: 'needs TLS_CERT_FILE: client certificates are only asked for over HTTPS',
  clientAuthWithoutCert: 'needs TLS_CERT_FILE: client certificates are only asked for over HTTPS',
  clientAuthWithoutCa: 'needs TLS_CLIENT_CA_FILE (the CAs whose client certificates identify callers)',
  healthPortSameAsPort: 'must differ from PORT',
  proxyUrl: 'must be an http:// or https:// URL such as http://proxy.internal:3128',
  filePath: 'must be a file path',
  unreadable: (file: string, reason: string) => `cannot read ${file}: ${reason}`,
  noCertificate: (file: string) => `${file} holds no PEM certificate`,
  badCertificate: (file: string) => `${file} holds a PEM block that is not a valid X.509 certificate`,
  badKey: (file: string) => `${file} holds no valid PEM private key`,
  keyMismatch: (certFile: string, keyFile: string) => `the key in ${keyFile} does not belong to the certificate in ${certFile}`,
  certificateExpired: (file: string, notAfter: string) => `the certificate in ${file} expired on ${notAfter}`,
  rejectedByTls: (file: string, reason: string) => `${file} is refused by the TLS library: ${reason}`,
  certificateIdentity: 'needs exactly one of uriSan, dnsSan or subject',
  certificateList: 'must be a mapping (uriSan, dnsSan or subject) or a non-empty list of them',
  uriSan: 'must be a URI such as spiffe://cluster.local/ns/billing/sa/billing-svc (no spaces; * matches any characters, / included)',
  dnsSan: 'must be a DNS name such as billing.internal',
  subject: 'must be a distinguished name such as "CN=billing-svc,O=Platform" (attribute=value pairs separated by commas)',
  duplicateCertificate: (firstPath: string) => `same certificate identity as ${firstPath}; a certificate must name one caller`,
});

/** `TLS_CLIENT_AUTH` values: whether the serving port asks callers for a client certificate. */
export const TLS_CLIENT_AUTH_MODES = ['none', 'optional', 'require'] as const;
