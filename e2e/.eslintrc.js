// The browser end-to-end suite is linted as the Node packages are (`yarn lint:e2e`, part of `make test`); its
// dependencies are those of the repository root.
const path = require('node:path');

module.exports = require('@backstage/cli/config/eslint-factory').createConfig(
  path.resolve(__dirname, '..'),
  {
    env: { node: true },
    parserOptions: { ecmaVersion: 2022, sourceType: 'module' },
  },
);
