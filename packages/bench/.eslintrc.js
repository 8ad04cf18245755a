module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  overrides: [
    {
      // The backend benchmarks measure the plugin's own building blocks (FleetService, the router, the prober) on
      // their own, which the plugin does not export: they import them from its sources.
      files: ['src/backend/**'],
      rules: {
        '@backstage/no-forbidden-package-imports': 'off',
        '@backstage/no-mixed-plugin-imports': 'off',
      },
    },
  ],
});
