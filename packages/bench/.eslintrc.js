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
    {
      // The catalog benchmark runs the portal's own database service (packages/backend), which the portal does not
      // export.
      files: ['src/catalog/**'],
      rules: {
        '@backstage/no-forbidden-package-imports': 'off',
        '@backstage/no-mixed-plugin-imports': 'off',
      },
    },
  ],
});
