# agentpulse: real-time agent effectiveness scores and coaching.
# `make` alone lists the targets; each target's `##` comment is its help.

GO        ?= go
BIN       := bin/agentpulse
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
PKGS      := ./...
FUZZTIME  ?= 30s
# FUZZTIME_BRIEF is how much `make test` fuzzes each target: a count of
# inputs, so a loaded machine runs longer instead of racing a deadline.
FUZZTIME_BRIEF ?= 300x

.DEFAULT_GOAL := help
.PHONY: help build run test chaos soak bench fuzz lint fmt check-fmt vet clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/agentpulse
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/agentpulse

run: build ## start the whole product on embedded defaults with a simulated feed
	./$(BIN) all --simulate

test: vet check-fmt ## run every test (real services required when CI=true), then fuzz each target briefly
	$(GO) test -count=1 -timeout 20m $(PKGS)
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME_BRIEF)

chaos: ## run the chaos suite's long form (longer outages, more kills; AGENTPULSE_CHAOS=long)
	AGENTPULSE_CHAOS=long $(GO) test -count=1 -timeout 45m -run '^(TestChaos|TestCrashKill9DuringIngest)$$' -v ./cmd/agentpulse/ ./processor/

soak: ## run the soak's long form: 30 minutes of mixed load, resources sampled each minute (AGENTPULSE_SOAK=long)
	AGENTPULSE_SOAK=long $(GO) test -count=1 -timeout 90m -run '^TestSoak$$' -v ./cmd/agentpulse/

BENCH     ?= .
BENCH_ENV ?= AGENTPULSE_BENCH_SCALE=full

bench: ## run every benchmark (BENCH=regexp for some) and write docs/BENCHMARKS.md
	@mkdir -p artifacts
	@began=$$(date -u +%Y-%m-%dT%H:%M:%SZ); \
	  bash -o pipefail -c "env $(BENCH_ENV) $(GO) test -run '^\$$' -p 1 -bench '$(BENCH)' -benchmem -timeout 120m $(PKGS) | tee artifacts/bench.txt" && \
	  $(GO) run ./cmd/benchreport -in artifacts/bench.txt -out docs/BENCHMARKS.md -began $$began \
	    -command "make bench" -env "$(BENCH_ENV)" && echo "wrote docs/BENCHMARKS.md"

fuzz: ## run each fuzz target for FUZZTIME (default 30s; a count like 500x works too) from its corpus in testdata/fuzz
	@GO=$(GO) scripts/fuzz.sh $(FUZZTIME) $(PKGS)

lint: vet check-fmt ## go vet and gofmt check

vet: ## go vet
	$(GO) vet $(PKGS)

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

check-fmt: ## fail when a file is not gofmt'd
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "not gofmt'd:"; echo "$$out"; exit 1; fi

clean: ## remove build output
	rm -rf bin
