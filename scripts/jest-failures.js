#!/usr/bin/env node
// Prints each failed Jest test (file, name, first lines of the message) from a `--json` results file.
const results = require(process.argv[2]);
const strip = s => s.replace(/\u001b\[[0-9;]*m/g, '');
for (const file of results.testResults) {
  const name = file.name.replace(`${process.cwd()}/`, '');
  if (
    file.status === 'failed' &&
    file.assertionResults.every(a => a.status !== 'failed')
  ) {
    console.log(`${name}: suite failed to run`);
    console.log(
      strip(file.message || '')
        .split('\n')
        .slice(0, 12)
        .map(l => `    ${l}`)
        .join('\n'),
    );
  }
  for (const a of file.assertionResults) {
    if (a.status !== 'failed') continue;
    console.log(`${name}: ${a.fullName}`);
    const msg = strip((a.failureMessages || []).join('\n'));
    console.log(
      msg
        .split('\n')
        .slice(0, 12)
        .map(l => `    ${l}`)
        .join('\n'),
    );
  }
}
