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

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Longest annotation value: a ticket id or a ref, never a document. */
export const MAX_ANNOTATION_VALUE = 1024;
/** Most annotations on one work. */
export const MAX_ANNOTATIONS = 32;

/**
 * A work's annotations: keys as Kubernetes annotation keys (`[prefix/]name`,
 * as label keys), values one line of text of at most 1,024 characters, so
 * they can go into commit messages, trailers and object metadata as they are.
 */
export function annotationErrors(field: string, annotations: unknown): string[] {
  if (annotations === undefined) return [];
  if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) {
    return [`${field}: must be a map of keys to text, e.g. {ticket: OPS-123}`];
  }
  const entries = Object.entries(annotations as Record<string, unknown>);
  const errors: string[] = [];
  if (entries.length > MAX_ANNOTATIONS)
    errors.push(`${field}: has ${entries.length} entries; at most ${MAX_ANNOTATIONS} are kept`);
  for (const [key, value] of entries) {
    const keyError = labelErrors(field, { [key]: '' })[0];
    if (keyError) errors.push(keyError.replace('label key', 'annotation key'));
    if (typeof value !== 'string') {
      errors.push(`${field}.${key}: must be text, not ${JSON.stringify(value)}; quote it in YAML`);
    } else if (value.length > MAX_ANNOTATION_VALUE || CONTROL.test(value)) {
      errors.push(
        `${field}.${key}: must be one line of at most ${MAX_ANNOTATION_VALUE} characters, without control characters`,
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
