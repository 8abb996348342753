// The dependency direction of the layers, as lint rules (see README "Layout"):
// src/ never imports adapters/, and one adapter never imports another.
// Kept in its own module so a test can lint probe code against exactly these rules.

/** Adapter folders that exist under adapters/. */
const adapterNames = ['o2', 'binance'];

/** @returns {import('eslint').Linter.Config[]} */
function boundaryConfigs() {
  const configs = [
    {
      files: ['src/**/*.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: '(^|/)adapters(/|$)',
                message:
                  'src/ must never import from adapters/ (dependencies point from adapters to src).',
              },
            ],
          },
        ],
      },
    },
  ];
  for (const name of adapterNames) {
    const others = adapterNames.filter((n) => n !== name);
    configs.push({
      files: [`adapters/${name}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: `(^|/)adapters/(${others.join('|')})(/|$)|^\\.\\./(${others.join('|')})(/|$)`,
                message: `adapters/${name} must not import another adapter; share code through src/.`,
              },
            ],
          },
        ],
      },
    });
  }
  return configs;
}

module.exports = { adapterNames, boundaryConfigs };
