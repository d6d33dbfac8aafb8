import { Config } from '@backstage/config';
import { StoreError } from '../errors';

/** A `kratix.secrets.<name>` entry: its values and where they may be used. */
export interface BoundSecret {
  name: string;
  values: Record<string, string>;
  allowedHosts: string[];
  /** Git repositories it may be used for (bindings.ts); undefined: any on its hosts, unless allowedBuckets is set. */
  allowedRepositories?: string[];
  /** Buckets it may be used for; undefined: any on its hosts, unless allowedRepositories is set. */
  allowedBuckets?: string[];
  /** PEM CA certificates its stores' servers are trusted with (tls.ts); not a value to send. */
  caBundle?: string;
}

/** Keys that say where a secret may be used, or whom to trust, not values to send. */
const BINDINGS = ['allowedHosts', 'allowedRepositories', 'allowedBuckets', 'caBundle'];

/** Reads `kratix.secrets.<name>`, trimmed; undefined when absent. */
export function readSecret(
  config: Config,
  name: string,
  onTrim?: (key: string) => void,
): BoundSecret | undefined {
  const entry = config.getOptionalConfig(`kratix.secrets.${name}`);
  if (!entry) return undefined;
  const values: Record<string, string> = {};
  for (const k of entry.keys()) {
    if (BINDINGS.includes(k)) continue;
    const raw = entry.getOptionalString(k);
    if (raw === undefined) continue;
    const trimmed =
      k === 'sshPrivateKey' || k === 'privateKey' || k === 'knownHosts' ? raw : raw.trim();
    if (trimmed !== raw) onTrim?.(k);
    values[k] = trimmed;
  }
  return {
    name,
    values,
    allowedHosts: entry.getOptionalStringArray('allowedHosts') ?? [],
    allowedRepositories: entry.getOptionalStringArray('allowedRepositories'),
    allowedBuckets: entry.getOptionalStringArray('allowedBuckets'),
    caBundle: entry.getOptionalString('caBundle'),
  };
}

/** `host`, `host:port`, or `*.example.com` (any subdomain); a host without a port allows any port. */
export function hostAllowed(allowed: string[], host: string, port: string | undefined): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return allowed.some(entry => {
    const m = /^(\*\.)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry.trim().toLowerCase());
    if (!m) return false;
    const [, wildcard, pattern, entryPort] = m;
    const name = pattern.replace(/^\[|\]$/g, '');
    const hostMatches = wildcard ? h.endsWith(`.${name}`) : h === name;
    return hostMatches && (!entryPort || entryPort === (port || undefined));
  });
}

/** Refuses to use a secret for a host it is not bound to: nothing is sent anywhere. */
export function assertBound(store: string, secret: BoundSecret, host: string, port?: string): void {
  const where = port ? `${host}:${port}` : host;
  if (secret.allowedHosts.length === 0) {
    throw new StoreError(
      `${store}: kratix.secrets.${secret.name} has no allowedHosts, so it is sent nowhere; add allowedHosts: [${where}] (the hosts this credential may be sent to) to kratix.secrets.${secret.name}`,
      'config',
    );
  }
  if (!hostAllowed(secret.allowedHosts, host, port)) {
    throw new StoreError(
      `${store}: kratix.secrets.${secret.name} may not be sent to ${where} (its allowedHosts are ${secret.allowedHosts.join(', ')}); point the store at an allowed host, or add ${where} to kratix.secrets.${secret.name}.allowedHosts if it is yours`,
      'config',
    );
  }
}

export function requireKeys(store: string, secret: BoundSecret, keys: string[]): void {
  const missing = keys.filter(k => !secret.values[k]);
  if (missing.length > 0) {
    throw new StoreError(
      `${store}: secret is missing key: ${missing.join(', ')} (kratix.secrets.${secret.name}.${missing[0]})`,
      'config',
    );
  }
}
