# Shipyard — the two commands of the README's quick start.
SHELL := /bin/bash
.PHONY: start test bootstrap bench adopter release clean

bootstrap:
	@scripts/bootstrap.sh

start: bootstrap
	@scripts/start.sh

test: bootstrap
	@scripts/test.sh

bench: bootstrap
	@source scripts/env.sh && yarn bench

# Shipyard installed into a fresh Backstage app as the README's install guide says (scripts/adopter-test.js)
adopter: bootstrap
	@source scripts/env.sh && node scripts/adopter-test.js

# every package built, packed as published into .release/ and its contents checked
release: bootstrap
	@source scripts/env.sh && node scripts/release.js

clean:
	rm -rf node_modules packages/*/dist plugins/*/dist dist-types .test-results .release
