/** An error from a State Store, already phrased for a user; never holds a secret. */
export class StateStoreError extends Error {
  constructor(
    message: string,
    readonly code: 'auth' | 'unreachable' | 'conflict' | 'refused' | 'other' = 'other',
  ) {
    super(message);
    this.name = 'StateStoreError';
  }
}

const NETWORK_CODES = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
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
