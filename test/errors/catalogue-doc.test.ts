import { readFileSync } from 'node:fs';
import path from 'node:path';
import { errorCodes } from '../../src/index.js';

describe('README error-code table', () => {
  it('lists every code in the catalogue, one row each', () => {
    const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    for (const code of errorCodes) {
      const row = new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`);
      const rows = readme.split('\n').filter((l) => row.test(l));
      expect({ code, rows: rows.length }).toEqual({ code, rows: 1 });
    }
  });
});
