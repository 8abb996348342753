/**
 * Secret redaction for everything an error, log line or diagnostics event can carry.
 *
 * Three nets, because one is never enough:
 * 1. keys that name a secret (`apiKey`, `secret`, `signature`, `privateKey`…) have their
 *    value replaced, at any depth;
 * 2. text is scrubbed of `user:pass@` in URLs and of `name=value` / `"name":"value"` pairs
 *    with a secret name;
 * 3. every secret value registered with {@link registerSecret} (signers register theirs)
 *    is replaced wherever it appears, in any text, under any key.
 */

export const REDACTED = '[REDACTED]';

// Kept on globalThis under a registered symbol so that two copies of tickwire in one
// process (ESM + CJS, or nested node_modules) share one registry.
const REGISTRY_KEY = Symbol.for('tickwire.secrets/v1');
type Registry = { values: Set<string> };
function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  let r = g[REGISTRY_KEY];
  if (r === undefined) {
    r = { values: new Set() };
    g[REGISTRY_KEY] = r;
  }
  return r;
}

const MIN_SECRET_LENGTH = 6;

/**
 * Registers a secret value (API secret, private key…) so that it is redacted wherever it
 * appears in tickwire errors and diagnostics. Byte keys are registered in hex (with and
 * without `0x`) and base64.
 *
 * @example
 * registerSecret(process.env.BINANCE_SECRET!);
 */
export function registerSecret(secret: string | Uint8Array): void {
  const r = registry();
  for (const form of secretForms(secret)) {
    if (form.length >= MIN_SECRET_LENGTH) r.values.add(form);
  }
}

/** Removes a value registered with {@link registerSecret}. */
export function unregisterSecret(secret: string | Uint8Array): void {
  const r = registry();
  for (const form of secretForms(secret)) r.values.delete(form);
}

function secretForms(secret: string | Uint8Array): string[] {
  if (typeof secret === 'string') return [secret];
  const hex = Buffer.from(secret).toString('hex');
  return [hex, `0x${hex}`, hex.toUpperCase(), Buffer.from(secret).toString('base64')];
}

const SECRET_KEY_EXACT = new Set([
  'secret',
  'password',
  'passphrase',
  'apikey',
  'xmbxapikey',
  'signature',
  'sig',
  'authorization',
  'mnemonic',
  'token',
  'accesstoken',
  'authtoken',
  'credentials',
  'privatekey',
  'sessionkey',
]);
const SECRET_KEY_AFFIXES = ['secret', 'privatekey', 'signature', 'password', 'apikey'];

/** True when an object key names a secret. */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_\s]/g, '');
  if (SECRET_KEY_EXACT.has(k)) return true;
  return SECRET_KEY_AFFIXES.some((s) => k.endsWith(s) || k.startsWith(s));
}

const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;
const NAMES =
  '(?:api[-_]?key|x-mbx-apikey|secret(?:[-_]?key)?|signature|private[-_]?key|password|passphrase|token)';
const QUERY_PAIR = new RegExp(`\\b(${NAMES})=([^&\\s"',;]+)`, 'gi');
const JSON_PAIR = new RegExp(`("${NAMES}"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|\\{[^{}]*\\})`, 'gi');
const HEADER_LINE = new RegExp(`\\b(${NAMES}|authorization)(\\s*:\\s*)([^\\s,;]+)`, 'gi');

/** Scrubs secrets out of a piece of text. */
export function redactString(text: string): string {
  let out = text
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(QUERY_PAIR, `$1=${REDACTED}`)
    .replace(JSON_PAIR, `$1"${REDACTED}"`)
    .replace(HEADER_LINE, `$1$2${REDACTED}`);
  const values = registry().values;
  if (values.size > 0) {
    for (const secret of values) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
  }
  return out;
}

/** True when {@link redactString} would change the text. */
export function containsSecret(text: string): boolean {
  return redactString(text) !== text;
}

const MAX_DEPTH = 8;

/**
 * Returns a redacted, JSON-safe copy of any value: secret-named keys replaced, strings
 * scrubbed, bigints kept as bigints (see {@link toJsonSafe} for serialisation), errors
 * reduced to name and message, byte arrays summarised, cycles cut.
 */
export function redactValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' ? `[function ${value.name || 'anonymous'}]` : value;
  }
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  if (value instanceof Error) {
    return { name: value.name, message: redactString(value.message) };
  }
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name}(${value.byteLength})]`;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof URL) return redactString(value.toString());
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) {
      const key = String(k);
      out[key] = isSecretKey(key) ? REDACTED : redactValue(v, depth + 1, seen);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      isSecretKey(k) && v !== undefined && v !== null ? REDACTED : redactValue(v, depth + 1, seen);
  }
  return out;
}

/** Converts a redacted value to plain JSON data (bigint → decimal string). */
export function toJsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (value !== null && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      return (value as { toJSON(): unknown }).toJSON();
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonSafe(v);
    return out;
  }
  return value;
}
