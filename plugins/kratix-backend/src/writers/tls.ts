import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { Config } from '@backstage/config';
import { StoreError } from './errors';
import { hostAllowed } from './credentials/secrets';

/** `kratix.tls`: what the platform trusts beyond Node's roots, and where it allows not verifying. */
export interface TlsSettings {
  /** `kratix.tls.caBundle`: PEM certificates every store over HTTPS trusts. */
  caBundle?: string;
  /** `kratix.tls.allowInsecure`: hosts (`host`, `host:port`, `*.domain`) a store may skip verification for. */
  allowInsecure: string[];
}

export function readTlsSettings(config: Config): TlsSettings {
  return {
    caBundle: config.getOptionalString('kratix.tls.caBundle'),
    allowInsecure: config.getOptionalStringArray('kratix.tls.allowInsecure') ?? [],
  };
}

/** How one store's HTTPS connections check the server's certificate. */
export interface StoreTls {
  /** PEM certificates trusted besides Node's default roots: the global bundle's, then the secret's. */
  extraCa: string[];
  /** False only for `spec.insecure: true` on a host `kratix.tls.allowInsecure` lists. */
  verify: boolean;
  /** The config keys that can hold the store's CA, for the message of a certificate failure. */
  caKeys: string;
  /** When verification is off: what to log (once per store). */
  warning?: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/**
 * The certificates of a bundle, each checked to parse: a broken bundle would
 * otherwise surface as "unable to get local issuer certificate" on the first
 * request, far from the key that holds it.
 */
function pemCertificates(store: string, key: string, bundle: string | undefined): string[] {
  if (bundle === undefined || bundle.trim() === '') return [];
  const blocks = bundle.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new StoreError(
      `${store}: ${key} holds no PEM certificate; paste the CA certificate (-----BEGIN CERTIFICATE----- ...)`,
      'config',
    );
  }
  blocks.forEach((block, i) => {
    try {
      // eslint-disable-next-line no-new -- parsing it is the check
      new X509Certificate(block);
    } catch (e: any) {
      throw new StoreError(
        `${store}: certificate ${i + 1} of ${key} cannot be read (${e?.message ?? e}); paste the CA certificate in PEM form`,
        'config',
      );
    }
  });
  return blocks;
}

/**
 * The TLS policy of a store reached over HTTPS (Git or S3). Certificates are
 * always verified (Kratix skips it unless `insecure: false`), against Node's
 * roots plus `kratix.tls.caBundle` and the secret's `caBundle`. A Git store's
 * `spec.insecure: true` turns verification off only on a host the platform
 * listed in `kratix.tls.allowInsecure`; elsewhere the store is refused before
 * any request, naming that key.
 */
export function storeTls(args: {
  /** `GitStateStore/<name>` */
  store: string;
  /** The https:// URL the store's requests go to. */
  url: URL;
  /** The store's `spec.insecure` (Git: Kratix's "do not verify"). */
  insecure?: boolean;
  secret?: { name: string; caBundle?: string };
  settings: TlsSettings;
}): StoreTls {
  const { store, url, secret, settings } = args;
  const extraCa = [
    ...pemCertificates(store, 'kratix.tls.caBundle', settings.caBundle),
    ...pemCertificates(store, `kratix.secrets.${secret?.name}.caBundle`, secret?.caBundle),
  ];
  const caKeys = secret
    ? `kratix.tls.caBundle or kratix.secrets.${secret.name}.caBundle`
    : 'kratix.tls.caBundle';
  if (args.insecure !== true) return { extraCa, verify: true, caKeys };
  const where = url.host;
  if (!hostAllowed(settings.allowInsecure, url.hostname, url.port || undefined)) {
    throw new StoreError(
      `${store}: spec.insecure: true asks not to verify TLS certificates of ${where}; add ${where} to kratix.tls.allowInsecure to allow it, or trust its CA with kratix.tls.caBundle`,
      'config',
    );
  }
  return {
    extraCa,
    verify: false,
    caKeys,
    warning: `${store}: spec.insecure is true and ${where} is in kratix.tls.allowInsecure, so its TLS certificates are not verified`,
  };
}

/** What an https.Agent needs for a store's policy; `ca` replaces Node's roots, so they are included. */
export function tlsAgentOptions(policy: StoreTls | undefined): {
  ca?: string[];
  rejectUnauthorized?: boolean;
} {
  if (!policy) return {};
  if (!policy.verify) return { rejectUnauthorized: false };
  if (policy.extraCa.length === 0) return {};
  return { ca: [...tls.getCACertificates('default'), ...policy.extraCa] };
}
