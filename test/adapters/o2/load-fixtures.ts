import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One WebSocket fixture line: a JSON frame, or a raw text message. */
export interface WsFixture {
  readonly id: string;
  readonly provenance: string;
  readonly note: string;
  readonly frame?: unknown;
  readonly text?: string;
}

/** One REST fixture: a response body. */
export interface RestFixture {
  readonly id: string;
  readonly provenance: string;
  readonly note: string;
  readonly body: unknown;
}

const DIR = join(__dirname, '..', '..', '..', 'fixtures', 'o2');

/** Reads `fixtures/o2/<name>.jsonl`. */
export function wsFixtures(name: string): WsFixture[] {
  return readFileSync(join(DIR, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as WsFixture);
}

/** Reads `fixtures/o2/<name>.json`. */
export function restFixtures(name: string): RestFixture[] {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as RestFixture[];
}

/** The fixture with `id`; throws when missing so a renamed fixture fails loudly. */
export function byId<T extends { id: string }>(list: readonly T[], id: string): T {
  const f = list.find((x) => x.id === id);
  if (f === undefined) throw new Error(`fixture ${id} not found`);
  return f;
}

/** The raw text a socket would deliver for a fixture. */
export function wireText(f: WsFixture): string {
  return f.text ?? JSON.stringify(f.frame);
}
