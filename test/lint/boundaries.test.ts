import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import path from 'node:path';

// Lints probe code at virtual paths against the very rule set eslint.config.mjs uses.
async function lint(filePath: string, code: string): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { boundaryConfigs } = require('../../eslint.boundaries.cjs') as {
    boundaryConfigs: () => unknown[];
  };
  const eslint = new ESLint({
    cwd: path.join(__dirname, '../..'),
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as never } },
      ...(boundaryConfigs() as never[]),
    ],
  });
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('dependency direction lint rule', () => {
  it('fails src/ importing adapters/', async () => {
    const msgs = await lint(
      'src/ws/probe.ts',
      "import { O2Adapter } from '../../adapters/o2/index.js';\nexport { O2Adapter };\n",
    );
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/no-restricted-imports: .*src\/ must never import from adapters\//);
  });

  it('fails one adapter importing another', async () => {
    const a = await lint(
      'adapters/o2/probe.ts',
      "import { x } from '../binance/index.js';\nexport { x };\n",
    );
    expect(a[0]).toMatch(/adapters\/o2 must not import another adapter/);
    const b = await lint(
      'adapters/binance/probe.ts',
      "import { y } from '../../adapters/o2/signing.js';\nexport { y };\n",
    );
    expect(b[0]).toMatch(/adapters\/binance must not import another adapter/);
  });

  it('allows adapters to import src/ and src/ to import src/', async () => {
    expect(
      await lint(
        'adapters/o2/probe.ts',
        "import { Decimal } from '../../src/index.js';\nexport { Decimal };\n",
      ),
    ).toEqual([]);
    expect(
      await lint(
        'src/book/probe.ts',
        "import { Decimal } from '../numbers/index.js';\nexport { Decimal };\n",
      ),
    ).toEqual([]);
  });
});
