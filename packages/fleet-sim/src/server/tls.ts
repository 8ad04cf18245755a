import crypto from 'node:crypto';
import forge from 'node-forge';

/** A CA and a serving certificate signed by it, PEM-encoded. */
export interface TlsMaterial {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

const { asn1 } = forge;
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

function serial(): string {
  // Positive, 16 random bytes.
  const bytes = crypto.randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

/**
 * An ECDSA P-256 key pair. ECDSA rather than RSA: a simulator serves thousands of clusters from one thread, and
 * signing a TLS handshake with a P-256 key costs a small fraction of an RSA-2048 signature.
 */
function ecKeyPair(): {
  privateKey: crypto.KeyObject;
  spki: Buffer;
  /** SHA-1 of the public key, as a subject key identifier (RFC 5280, 4.2.1.2). */
  keyId: string;
  pem: string;
} {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
  });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(String(jwk.x), 'base64url'),
    Buffer.from(String(jwk.y), 'base64url'),
  ]);
  return {
    privateKey,
    spki: publicKey.export({ type: 'spki', format: 'der' }),
    keyId: crypto.createHash('sha1').update(point).digest('binary'),
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function algorithm(): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.OID,
      false,
      asn1.oidToDer(ECDSA_WITH_SHA256).getBytes(),
    ),
  ]);
}

/**
 * Assembles and signs an X.509 v3 certificate. node-forge builds names and extensions but signs only with RSA keys,
 * so the to-be-signed part is put together here and signed with Node's crypto.
 */
function certificate(options: {
  subject: forge.pki.CertificateField[];
  issuer: forge.pki.CertificateField[];
  notBefore: Date;
  notAfter: Date;
  extensions: any[];
  spki: Buffer;
  signingKey: crypto.KeyObject;
}): string {
  // a forge certificate only to normalize the names and encode the extensions
  const fields = forge.pki.createCertificate();
  fields.setSubject(options.subject);
  fields.setIssuer(options.issuer);
  fields.setExtensions(options.extensions);
  const time = (d: Date) =>
    asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.UTCTIME,
      false,
      asn1.dateToUtcTime(d),
    );
  const tbs = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(
        asn1.Class.UNIVERSAL,
        asn1.Type.INTEGER,
        false,
        asn1.integerToDer(2).getBytes(),
      ),
    ]),
    asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.INTEGER,
      false,
      forge.util.hexToBytes(serial()),
    ),
    algorithm(),
    forge.pki.distinguishedNameToAsn1(fields.issuer),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      time(options.notBefore),
      time(options.notAfter),
    ]),
    forge.pki.distinguishedNameToAsn1(fields.subject),
    asn1.fromDer(forge.util.createBuffer(options.spki.toString('binary'))),
    (forge.pki as any).certificateExtensionsToAsn1(fields.extensions),
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = crypto.sign('sha256', tbsDer, options.signingKey);
  const cert = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithm(),
    asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.BITSTRING,
      false,
      `\0${signature.toString('binary')}`,
    ),
  ]);
  return forge.pem.encode({
    type: 'CERTIFICATE',
    body: asn1.toDer(cert).getBytes(),
  });
}

function keyIdentifier(keyId: string) {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, keyId);
}

/**
 * Generates a fresh CA and a serving certificate for `hosts` (IP addresses and DNS names), both with ECDSA P-256
 * keys. Keys and signatures come from Node's crypto; node-forge only encodes the certificates.
 */
export function generateTls(
  hosts: string[],
  commonName = 'fleet-sim',
): TlsMaterial {
  const now = new Date(Date.now() - 60_000);
  const later = new Date(now.getTime() + 365 * 24 * 3600 * 1000);

  const ca = ecKeyPair();
  const caSubject = [
    { name: 'commonName', value: `${commonName}-ca` },
    { name: 'organizationName', value: 'shipyard' },
  ];
  const caCert = certificate({
    subject: caSubject,
    issuer: caSubject,
    notBefore: now,
    notAfter: later,
    spki: ca.spki,
    signingKey: ca.privateKey,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      {
        name: 'keyUsage',
        keyCertSign: true,
        cRLSign: true,
        digitalSignature: true,
        critical: true,
      },
      { name: 'subjectKeyIdentifier', value: keyIdentifier(ca.keyId) },
    ],
  });

  const leaf = ecKeyPair();
  const altNames = hosts.map(h =>
    /^\d+\.\d+\.\d+\.\d+$/.test(h) || h.includes(':')
      ? { type: 7, ip: h }
      : { type: 2, value: h },
  );
  const cert = certificate({
    subject: [{ name: 'commonName', value: commonName }],
    issuer: caSubject,
    notBefore: now,
    notAfter: later,
    spki: leaf.spki,
    signingKey: ca.privateKey,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
      { name: 'subjectKeyIdentifier', value: keyIdentifier(leaf.keyId) },
      {
        name: 'authorityKeyIdentifier',
        value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
          asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, ca.keyId),
        ]),
      },
    ],
  });

  return { caCert, caKey: ca.pem, cert, key: leaf.pem };
}
