// Random small edits of a frame's text, for property tests of hand-written parsers: the
// parser must decline an edited frame or read it exactly as the generic path does.
import fc from 'fast-check';

/** One edit: a position (taken modulo the text length + 1), what to do, and the character. */
export type TextEdit = readonly [at: number, op: 'delete' | 'insert' | 'replace', ch: string];

/** 1–3 edits with the characters that matter to JSON and number syntax, plus a few others. */
export const textEdits: fc.Arbitrary<TextEdit[]> = fc.array(
  fc.tuple(
    fc.nat(),
    fc.constantFrom('delete' as const, 'insert' as const, 'replace' as const),
    fc.constantFrom(...'0123456789.,-+eE"[]{}: \\x\u00e9\n'),
  ),
  { minLength: 1, maxLength: 3 },
);

/** `text` with `edits` applied in order. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let t = text;
  for (const [at, op, ch] of edits) {
    const i = at % (t.length + 1);
    t =
      op === 'delete'
        ? t.slice(0, i) + t.slice(i + 1)
        : op === 'insert'
          ? t.slice(0, i) + ch + t.slice(i)
          : t.slice(0, i) + ch + t.slice(i + 1);
  }
  return t;
}
