# Tide's build. One list of modules; every per-module target is a pattern rule.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

MODULES := api skeleton testkit ociartifact gitclient clusterkit source-controller kustomize-controller helm-controller notification-controller image-automation-controller manifests cli images e2e
# Modules whose reconcilers carry RBAC markers; each gets manifests/<name>/rbac/role.yaml.
CONTROLLERS := source-controller kustomize-controller helm-controller notification-controller image-automation-controller
BIN := $(CURDIR)/bin

# The real control plane for tests, built from the Go module proxy (no binary
# can be downloaded here). Versions are pinned in hack/kube-assets/go.mod.
KUBE_VERSION := v1.37.2
KUBE_ASSETS_DIR := $(BIN)/k8s
KUBE_ASSETS_SRC := hack/kube-assets/go.mod hack/kube-assets/go.sum
KUBE_LDFLAGS := -s -w -X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION) \
	-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37
export KUBEBUILDER_ASSETS := $(KUBE_ASSETS_DIR)
# The rest of a local cluster, for `tide dev up` (make run) and its test:
# built from the same wrapper module, plus kwok (a fake node) and its stages.
KWOK_VERSION := v0.8.0
DEV_ASSETS := $(addprefix $(KUBE_ASSETS_DIR)/,kube-controller-manager kube-scheduler kwok kwok-stages.yaml)

CONTROLLER_GEN_VERSION := v0.23.0
CONTROLLER_GEN := $(BIN)/controller-gen-$(CONTROLLER_GEN_VERSION)

GO_TEST_FLAGS ?=

# Every binary of ours is static, as the images need (their base is empty),
# and the tests share that one build of the dependency tree instead of a
# second one with cgo. Third-party tools (THIRD_PARTY_GO) keep Go's default,
# the setting their pinned builds are known to work with. The race detector
# needs cgo: make test CGO_ENABLED=1 GO_TEST_FLAGS=-race.
export CGO_ENABLED ?= 0
THIRD_PARTY_GO := env -u CGO_ENABLED GOWORK=off go

# `make images`: each controller's image, as bin/images/<name>.tar.
IMAGE_REPO ?= ghcr.io/tidegitops
IMAGE_TAG ?= latest
IMAGE_PUSH ?=

.PHONY: build test bench lint fmt-check generate manifests verify tidy kube-assets dev-assets clean run images help
help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: $(addprefix build-,$(MODULES)) ## Build every module, and every binary into bin/.
build-%:
	cd $* && go build ./... && if [ -d cmd ]; then go build -o $(BIN)/ ./cmd/...; fi

# One go test over the whole workspace, not one per module: its packages are
# built and run two at a time across modules, so one module's long tests
# overlap the next one's build instead of leaving a core idle.
test: kube-assets dev-assets ## Run every test against a real kube-apiserver and etcd.
	go test $(GO_TEST_FLAGS) $(foreach m,$(MODULES),./$(m)/...)
test-%: kube-assets
	cd $* && go test $(GO_TEST_FLAGS) ./...
# The CLI's test of `tide dev up` runs the whole local cluster.
test-cli: dev-assets

bench: kube-assets $(addprefix bench-,$(MODULES)) ## Run the benchmarks.
bench-%: kube-assets
	cd $* && go test -run '^$$' -bench . -benchmem -timeout 3h ./...

lint: fmt-check ## gofmt and go vet.
	go vet $(foreach m,$(MODULES),./$(m)/...)
fmt-check:
	@bad=$$(gofmt -l $(MODULES) hack); if [ -n "$$bad" ]; then echo "gofmt would change: $$bad"; exit 1; fi

generate: $(CONTROLLER_GEN) ## Generate deepcopy code and CRDs from the API types.
	cd api && $(CONTROLLER_GEN) object:headerFile=../hack/boilerplate.go.txt paths=./...
	$(MAKE) manifests
manifests: $(CONTROLLER_GEN) ## Generate CRDs into manifests/crds and each controller's ClusterRole.
	rm -rf manifests/crds
	cd api && $(CONTROLLER_GEN) crd paths=./... output:crd:artifacts:config=../manifests/crds
	for c in $(CONTROLLERS); do \
		$(CONTROLLER_GEN) rbac:roleName=tide-$$c paths=./$$c/... output:rbac:dir=manifests/$$c/rbac; done

tidy: $(addprefix tidy-,$(MODULES)) ## go mod tidy in every module (outside the workspace, as a user would).
tidy-%:
	cd $* && GOWORK=off go mod tidy

verify: generate tidy lint ## Regenerate and tidy, then fail if the tree changed.
	@if [ -n "$$(git status --porcelain)" ]; then \
		echo "The tree changed after 'make generate tidy': commit the result."; \
		git status --short; git --no-pager diff --stat; exit 1; fi

kube-assets: $(KUBE_ASSETS_DIR)/kube-apiserver $(KUBE_ASSETS_DIR)/etcd ## Build kube-apiserver and etcd into bin/k8s (once).
# Rebuilt only when missing or when the pinned versions (go.mod/go.sum) change.
# GOWORK=off keeps its very large dependency graph away from Tide's modules.
$(KUBE_ASSETS_DIR)/%: $(KUBE_ASSETS_SRC) hack/kube-assets/%/main.go
	@mkdir -p $(KUBE_ASSETS_DIR)
	@echo "Building $* from source, pinned in hack/kube-assets/go.mod (the first time takes several minutes)..."
	cd hack/kube-assets && $(THIRD_PARTY_GO) build -ldflags "$(KUBE_LDFLAGS)" -o $@ ./$*

dev-assets: $(DEV_ASSETS) ## Build kube-controller-manager, kube-scheduler and kwok into bin/k8s (once), for tide dev up.
# kube-controller-manager and kube-scheduler come from the pattern rule above.
$(KUBE_ASSETS_DIR)/kwok:
	@mkdir -p $(KUBE_ASSETS_DIR)
	@echo "Building kwok $(KWOK_VERSION) from source (the first time takes about two minutes)..."
	GOBIN=$(KUBE_ASSETS_DIR) $(THIRD_PARTY_GO) install sigs.k8s.io/kwok/cmd/kwok@$(KWOK_VERSION)
$(KUBE_ASSETS_DIR)/kwok-stages.yaml: hack/kube-assets/kwok-stages.yaml
	@mkdir -p $(KUBE_ASSETS_DIR)
	cp $< $@

$(CONTROLLER_GEN):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) $(THIRD_PARTY_GO) install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_GEN_VERSION)
	mv $(BIN)/controller-gen $@

run: kube-assets dev-assets ## The local demo: control plane, controllers, demo fleet repo bootstrapped (Ctrl-C stops it).
	cd cli && go build -o $(BIN)/ ./cmd/tide
	$(BIN)/tide dev up

images: ## Build each controller's image into bin/images/<name>.tar; IMAGE_PUSH=1 also pushes it.
	cd images && go run ./cmd/tide-image --root $(CURDIR) --out $(BIN)/images --repo $(IMAGE_REPO) \
		--tag $(IMAGE_TAG) --revision $$(git rev-parse HEAD) $(if $(IMAGE_PUSH),--push) $(CONTROLLERS)

clean: ## Remove bin/ (including the built control plane).
	rm -rf $(BIN)
