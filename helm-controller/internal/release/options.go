package release

import (
	"time"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/kube"
	"helm.sh/helm/v4/pkg/postrenderer"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// CRDPolicy is what an action does with the chart's crds/ folder (Flux's
// install.crds and upgrade.crds).
type CRDPolicy string

const (
	// CRDsSkip leaves CRDs alone.
	CRDsSkip CRDPolicy = "Skip"
	// CRDsCreate creates the CRDs that do not exist yet.
	CRDsCreate CRDPolicy = "Create"
	// CRDsCreateReplace creates or updates every CRD of the chart.
	CRDsCreateReplace CRDPolicy = "CreateReplace"
)

// Wait is how an action waits for what it applied.
type Wait struct {
	// Disable waits for hooks only (Flux's disableWait).
	Disable bool
	// DisableForJobs does not wait for Jobs to complete.
	DisableForJobs bool
	// Legacy uses Helm's legacy readiness checks instead of kstatus
	// (Flux's waitStrategy.name: legacy).
	Legacy bool
	// Exprs read the kinds they name with CEL instead of kstatus (Flux's
	// healthCheckExprs); as in Flux, only the kstatus wait (not Legacy)
	// uses them.
	Exprs []kustomizev1.CustomHealthCheck
}

// strategy is the Helm wait strategy of w. Helm's kstatus strategy
// (StatusWatcherStrategy) is served by pollWaiter (see kubeClient).
func (w Wait) strategy() kube.WaitStrategy {
	switch {
	case w.Disable:
		return kube.HookOnlyStrategy
	case w.Legacy:
		return kube.LegacyStrategy
	default:
		return kube.StatusWatcherStrategy
	}
}

// Render is how the chart's manifests are changed before Helm applies
// them (Flux's post-renderers, commonMetadata and origin labels).
type Render struct {
	PostRenderer postrenderer.PostRenderer
	// Strategy says whether hooks go through PostRenderer.
	Strategy action.PostRenderStrategy
}

// InstallOptions are Flux's spec.install fields Helm can carry.
type InstallOptions struct {
	Timeout                  time.Duration
	Wait                     Wait
	DisableHooks             bool
	DisableOpenAPIValidation bool
	DisableSchemaValidation  bool
	Replace                  bool
	CRDs                     CRDPolicy
	CreateNamespace          bool
	ServerSideApply          bool
	// TakeOwnership adopts objects that exist without Helm's ownership
	// (Flux's default; install.disableTakeOwnership turns it off).
	TakeOwnership bool
	Render        Render
}

// UpgradeOptions are Flux's spec.upgrade fields Helm can carry.
type UpgradeOptions struct {
	Timeout                  time.Duration
	Wait                     Wait
	DisableHooks             bool
	DisableOpenAPIValidation bool
	DisableSchemaValidation  bool
	Force                    bool
	PreserveValues           bool
	CleanupOnFail            bool
	CRDs                     CRDPolicy
	// ServerSideApply is "true", "false" or "auto" (as the release was).
	ServerSideApply string
	TakeOwnership   bool
	MaxHistory      int
	Render          Render
}

// TestOptions are Flux's spec.test fields.
type TestOptions struct {
	Timeout time.Duration
	// Include and Exclude name the test hooks to run or skip.
	Include, Exclude []string
}

// RollbackOptions are Flux's spec.rollback fields Helm can carry.
type RollbackOptions struct {
	Timeout         time.Duration
	Wait            Wait
	DisableHooks    bool
	Force           bool
	CleanupOnFail   bool
	ServerSideApply string
	MaxHistory      int
}

// UninstallOptions are Flux's spec.uninstall fields.
type UninstallOptions struct {
	Timeout             time.Duration
	DisableHooks        bool
	KeepHistory         bool
	DisableWait         bool
	DeletionPropagation string
}
