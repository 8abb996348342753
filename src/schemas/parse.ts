import type { z } from 'zod';
import { createError } from '../errors/tickwire-error.js';

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/**
 * Validates `input` against `schema` and returns the typed output. On mismatch throws a
 * `VALIDATION_FAILED` error whose message is one line (`what: path: problem`), whose
 * context carries the failing path and every issue, and whose `cause` is the `ZodError`.
 *
 * @example
 * const depth = parse(DepthSnapshot, body, 'binance depth snapshot');
 */
export function parse<TSchema extends z.ZodType>(
  schema: TSchema,
  input: unknown,
  what: string,
): z.output<TSchema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => {
    const p = formatPath(i.path);
    return p === '' ? i.message : `${p}: ${i.message}`;
  });
  const first = result.error.issues[0];
  const path = first === undefined ? '' : formatPath(first.path);
  const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : '';
  throw createError('VALIDATION_FAILED', `${what}: ${issues[0] ?? 'invalid'}${more}`, {
    context: { what, path, issues },
    cause: result.error,
  });
}
