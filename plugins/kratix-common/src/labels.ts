/** Labels and selectors are plain string maps, as Kubernetes equality selectors. */
export type Labels = Record<string, string>;

/** Every key=value of the selector is on the labels. */
export function matchesSelector(labels: Labels, selector: Labels): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Kubernetes label rules, which Kratix Destinations use for scheduling:
 * keys are `[prefix/]name`, names and values at most 63 characters of
 * alphanumerics, `-`, `_` and `.`, starting and ending alphanumeric.
 * Returns one message per problem, naming `field`.
 */
export function labelErrors(field: string, labels: unknown): string[] {
  if (labels === undefined) return [];
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    return [`${field}: must be a map of label keys to values, e.g. {environment: dev}`];
  }
  const errors: string[] = [];
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
      errors.push(
        `${field}: key "${key}" has an invalid prefix; use a DNS subdomain such as example.com/`,
      );
    } else if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
      errors.push(
        `${field}: key "${key}" is not a valid label key; use up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
      );
    }
    if (typeof value !== 'string') {
      errors.push(
        `${field}.${key}: value must be a string, not ${JSON.stringify(value)}; quote it in YAML`,
      );
    } else if (value.length > 63 || (value !== '' && !NAME.test(value))) {
      errors.push(
        `${field}.${key}: value "${value}" is not a valid label value; use up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
      );
    }
  }
  return errors;
}

/** Kubernetes object names (RFC 1123 label), used for promise, resource, namespace and pipeline. */
export function nameErrors(field: string, value: unknown, required = true): string[] {
  if (value === undefined || value === null || value === '') {
    return required ? [`${field}: is required`] : [];
  }
  if (typeof value !== 'string') return [`${field}: must be a string`];
  if (value.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
    return [
      `${field}: "${value}" is not a valid name; use up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit`,
    ];
  }
  return [];
}
