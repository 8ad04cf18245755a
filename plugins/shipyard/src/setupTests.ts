import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Time for a machine busy with the rest of the suite. At load 15–19 the first render of a test file (the app's
// providers and Material UI, read for the first time) took 4–11 s and a dialog's answer after a click up to 2 s:
// past Jest's default of 5 s per test and Testing Library's 1 s for `findBy…`/`waitFor`. The queries still wait for
// what the test means (an element, a state); only a test whose element never comes fails later. `make test` gives
// every test 60 s; `yarn test` in this package now does the same.
configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(60_000);
