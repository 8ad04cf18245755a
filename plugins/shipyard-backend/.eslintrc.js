module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  // generated from the OpenAPI spec (yarn openapi:generate)
  ignorePatterns: ['src/schema/openapi/generated/**'],
});
