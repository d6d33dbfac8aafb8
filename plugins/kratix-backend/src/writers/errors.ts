import { CustomErrorBase } from '@backstage/errors';

export type StoreErrorKind =
  | 'auth'
  | 'unreachable'
  | 'notFound'
  | 'conflict'
  /** The store refused this content (a hook, a key, a size): only its placements fail. */
  | 'refused'
  | 'config'
  /** The server's certificate could not be verified. */
  | 'tls'
  | 'other';

/**
 * An error from a State Store, already phrased for a user; never holds a
 * secret. The underlying error is kept as `cause` (for logs) but not added
 * to the message: third-party text can carry what users must not see.
 */
export class StoreError extends CustomErrorBase {
  name = 'StoreError' as const;
  constructor(
    message: string,
    readonly kind: StoreErrorKind = 'other',
    cause?: Error,
  ) {
    super(message);
    Object.defineProperty(this, 'cause', { value: cause, enumerable: false });
  }
}

const NETWORK_CODES = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
];

/** A network error's code, looked for along the cause chain (fetch wraps it). */
export function networkErrorCode(e: any, depth = 0): string | undefined {
  if (!e || depth > 4) return undefined;
  if (NETWORK_CODES.includes(e.code)) return e.code;
  const inMessage = NETWORK_CODES.find(c => String(e.message ?? '').includes(c));
  if (inMessage) return inMessage;
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const found = networkErrorCode(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Certificate failures that trusting the right CA fixes (OpenSSL's codes, as Node reports them). */
const UNTRUSTED_CODES = [
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'CERT_REJECTED',
];

/** Certificate failures another CA cannot fix: what to do instead. */
const OTHER_CERT_FIXES: Record<string, string> = {
  CERT_HAS_EXPIRED: "the server's certificate is outside its validity period; renew it",
  CERT_NOT_YET_VALID: "the server's certificate is outside its validity period; renew it",
  ERR_TLS_CERT_ALTNAME_INVALID:
    'the certificate is not issued for the host the store names; use a host name it is issued for',
  HOSTNAME_MISMATCH:
    'the certificate is not issued for the host the store names; use a host name it is issued for',
};

/** A certificate failure along the cause chain (fetch, isomorphic-git and the AWS SDK wrap it). */
export function tlsFailure(e: any, depth = 0): { code: string; message: string } | undefined {
  if (!e || typeof e !== 'object' || depth > 4) return undefined;
  if (UNTRUSTED_CODES.includes(e.code) || e.code in OTHER_CERT_FIXES) {
    return { code: e.code, message: String(e.message ?? e.code) };
  }
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const found = tlsFailure(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function tlsError(ctx: ErrorContext, failure: { code: string; message: string }, cause?: Error) {
  const fix =
    OTHER_CERT_FIXES[failure.code] ?? `trust the CA with ${ctx.caKeys ?? 'kratix.tls.caBundle'}`;
  return new StoreError(
    `${ctx.store}: TLS certificate validation failed: ${redact(failure.message, ctx.secrets)} (${fix})`,
    'tls',
    cause,
  );
}

/** Replaces every secret (and its base64 form) in a text by `***`. */
export function redact(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    out = out.split(s).join('***');
    const b64 = Buffer.from(s).toString('base64');
    out = out.split(b64).join('***');
  }
  return out;
}

/** What a writer knows to phrase its errors: who it is, where it points, how to fix auth. */
export interface ErrorContext {
  /** `GitStateStore/<name>` */
  store: string;
  /** The URL or bucket, already without credentials. */
  target: string;
  /** Where a network error happened (the endpoint), when other than target. */
  reach?: string;
  /** What to check when access is denied. */
  authHint: string;
  secrets: (string | undefined)[];
  /** The config keys that can hold the store's CA (default `kratix.tls.caBundle`). */
  caKeys?: string;
}

/** The one skeleton both writers phrase errors with: auth, unreachable, not found, other. */
export function storeError(
  ctx: ErrorContext,
  doing: string,
  e: any,
  status?: number,
  code?: string,
): StoreError {
  if (e instanceof StoreError) return e;
  const cause = e instanceof Error ? e : undefined;
  if (status === 401 || status === 403 || code === 'auth') {
    const name =
      e?.name && !['Error', 'Unknown', 'HttpError', 'UserCanceledError'].includes(e.name)
        ? ` ${e.name}`
        : '';
    const what = status === 403 ? 'access denied' : 'authentication failed';
    return new StoreError(
      `${ctx.store}: ${what} while ${doing} ${ctx.target} (HTTP ${status ?? 401}${name}); ${ctx.authHint}`,
      'auth',
      cause,
    );
  }
  const certificate = tlsFailure(e);
  if (certificate) return tlsError(ctx, certificate, cause);
  const net = networkErrorCode(e);
  if (net)
    return new StoreError(
      `${ctx.store}: cannot reach ${ctx.reach ?? ctx.target} (${net})`,
      'unreachable',
      cause,
    );
  if (status === 404 || code === 'notFound') {
    return new StoreError(
      `${ctx.store}: ${ctx.target} was not found (HTTP 404) while ${doing}`,
      'notFound',
      cause,
    );
  }
  const detail = `${e?.message ?? e}${e?.cause?.message ? `: ${e.cause.message}` : ''}`;
  return new StoreError(
    `${ctx.store}: ${doing} ${ctx.target} failed: ${redact(detail, ctx.secrets)}`,
    'other',
    cause,
  );
}

/** Errors worth retrying the whole run for later (the store, not the content, is the problem). */
export function isTransient(e: unknown): boolean {
  return !(e instanceof StoreError) || e.kind !== 'refused';
}
