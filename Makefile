# The two commands: `make run` and `make test`. Everything else is a helper.
.PHONY: run test bench openapi schema web stop-db

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

# Benchmarks on seeded data: `make bench` (1,000,000 tickets) or `make bench N=200000`.
bench:
	@bash scripts/bench.sh $(N)

# Regenerates the committed OpenAPI document (a test fails when it is stale).
openapi:
	cargo run -q -p helpdesk-api --bin helpdesk -- openapi > openapi/openapi.json

# Regenerates api/src/db/schema.rs from the migrations (needs diesel_cli and a running database).
schema:
	diesel print-schema --database-url "$$DATABASE_URL" > api/src/db/schema.rs

web:
	@bash scripts/build-web.sh

# Stops the private PostgreSQL cluster of `make run` (its data stays in .data/postgres).
stop-db:
	@bash scripts/pg.sh stop .data/postgres
