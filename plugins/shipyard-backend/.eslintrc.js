module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  // generated from the OpenAPI spec (yarn openapi:generate)
  ignorePatterns: ['src/schema/openapi/generated/**'],
  rules: {
    // a property of fast-check is asserted by fc.assert: it fails the test with the counterexample
    'jest/expect-expect': [
      'warn',
      { assertFunctionNames: ['expect', 'fc.assert'] },
    ],
  },
});
