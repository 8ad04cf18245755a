# Shipyard — the two commands of the README's quick start.
SHELL := /bin/bash
.PHONY: start test bootstrap bench clean

bootstrap:
	@scripts/bootstrap.sh

start: bootstrap
	@scripts/start.sh

test: bootstrap
	@scripts/test.sh

bench: bootstrap
	@source scripts/env.sh && yarn bench

clean:
	rm -rf node_modules packages/*/dist plugins/*/dist dist-types .test-results
