# agentpulse: real-time agent effectiveness scores and coaching.
# `make` alone lists the targets; each target's `##` comment is its help.

GO        ?= go
BIN       := bin/agentpulse
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
PKGS      := ./...
FUZZTIME  ?= 30s

.DEFAULT_GOAL := help
.PHONY: help build run test chaos soak bench fuzz lint fmt check-fmt vet clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/agentpulse
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/agentpulse

run: build ## start the whole product on embedded defaults with a simulated feed
	./$(BIN) all --simulate

test: vet check-fmt ## run every test (real services required when CI=true)
	$(GO) test -count=1 -timeout 20m $(PKGS)

chaos: ## run the chaos suite's long form (longer outages; AGENTPULSE_CHAOS=long)
	AGENTPULSE_CHAOS=long $(GO) test -count=1 -timeout 30m -run '^TestChaos' -v ./cmd/agentpulse/

soak: ## run the soak's long form: 30 minutes of mixed load, resources sampled each minute (AGENTPULSE_SOAK=long)
	AGENTPULSE_SOAK=long $(GO) test -count=1 -timeout 90m -run '^TestSoak$$' -v ./cmd/agentpulse/

bench: ## run the benchmarks
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m $(PKGS)

fuzz: ## run each fuzz target for FUZZTIME (default 30s)
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; done

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
