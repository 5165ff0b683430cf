package v2

import (
	"strings"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

const (
	// HelmReleaseKind is the kind name of a HelmRelease.
	HelmReleaseKind = "HelmRelease"

	// HelmReleaseFinalizer holds a HelmRelease until its release is
	// uninstalled.
	HelmReleaseFinalizer = "finalizers.fluxcd.io"

	// SourceIndexKey is the name of the field index of HelmReleases by the
	// source of their chart.
	SourceIndexKey string = ".metadata.source"

	// defaultMaxHistory is the number of Helm release versions kept when
	// spec.maxHistory is unset, and of snapshots kept with no previous
	// good release.
	defaultMaxHistory = 5

	// defaultTimeout bounds each Kubernetes operation of a Helm action when
	// spec.timeout is unset.
	defaultTimeout = 5 * time.Minute
)

// HelmReleaseSpec is what the user asks for: which chart, with which values,
// released how, and what to do when a release fails.
// +kubebuilder:validation:XValidation:rule="(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))", message="either chart or chartRef must be set"
type HelmReleaseSpec struct {
	// Chart is the template of the HelmChart (or OCIRepository) the
	// controller creates for this release. Exactly one of chart and
	// chartRef is set.
	// +optional
	Chart *HelmChartTemplate `json:"chart,omitempty"`

	// ChartRef names an existing OCIRepository or HelmChart whose artifact
	// is the chart.
	// +optional
	ChartRef *CrossNamespaceSourceReference `json:"chartRef,omitempty"`

	// Interval between reconciliations.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +required
	Interval metav1.Duration `json:"interval"`

	// KubeConfig targets a remote cluster instead of the local one; with
	// ServiceAccountName, that account is impersonated there.
	// +optional
	KubeConfig *kustomizev1.KubeConfigReference `json:"kubeConfig,omitempty"`

	// Suspend stops reconciliation until it is set back to false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// ReleaseName of the Helm release; '[<targetNamespace>-]<name>' when
	// unset (shortened with a hash past 53 characters).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=53
	// +kubebuilder:validation:Optional
	// +optional
	ReleaseName string `json:"releaseName,omitempty"`

	// TargetNamespace the release is installed into; the HelmRelease's own
	// when unset.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Optional
	// +optional
	TargetNamespace string `json:"targetNamespace,omitempty"`

	// StorageNamespace holds Helm's release storage; the HelmRelease's own
	// when unset.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Optional
	// +optional
	StorageNamespace string `json:"storageNamespace,omitempty"`

	// DependsOn lists HelmReleases that must be ready first.
	// +optional
	DependsOn []DependencyReference `json:"dependsOn,omitempty"`

	// Timeout of each Kubernetes operation (hook Jobs, waits) of a Helm
	// action; 5m when unset.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// MaxHistory is the number of release versions Helm keeps; 5 when
	// unset, unlimited with 0.
	// +optional
	MaxHistory *int `json:"maxHistory,omitempty"`

	// ServiceAccountName is impersonated for every Helm action.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// PersistentClient reuses one Kubernetes client for the whole
	// reconciliation instead of one per action step; true when unset. Set
	// false for charts whose hooks need CRDs created outside Helm's CRD
	// handling.
	// +optional
	PersistentClient *bool `json:"persistentClient,omitempty"`

	// DriftDetection compares the cluster with the release's manifest.
	// +optional
	DriftDetection *DriftDetection `json:"driftDetection,omitempty"`

	// Install configures Helm installs.
	// +optional
	Install *Install `json:"install,omitempty"`

	// Upgrade configures Helm upgrades.
	// +optional
	Upgrade *Upgrade `json:"upgrade,omitempty"`

	// Test configures Helm tests.
	// +optional
	Test *Test `json:"test,omitempty"`

	// Rollback configures Helm rollbacks.
	// +optional
	Rollback *Rollback `json:"rollback,omitempty"`

	// Uninstall configures Helm uninstalls.
	// +optional
	Uninstall *Uninstall `json:"uninstall,omitempty"`

	// ValuesFrom reads values from ConfigMaps and Secrets, merged in order;
	// Values is merged over them.
	ValuesFrom []ValuesReference `json:"valuesFrom,omitempty"`

	// Values of the release.
	// +optional
	Values *apiextensionsv1.JSON `json:"values,omitempty"`

	// CommonMetadata adds these labels and annotations to every object of
	// the release, overriding keys already present.
	// +optional
	CommonMetadata *CommonMetadata `json:"commonMetadata,omitempty"`

	// PostRenderers change the rendered manifests, in order.
	// +optional
	PostRenderers []PostRenderer `json:"postRenderers,omitempty"`

	// PostRenderStrategy is 'combined' (the default: hooks go through the
	// post-renderers with the templates), 'nohooks' or 'separate'.
	// +kubebuilder:validation:Enum=nohooks;combined;separate
	// +optional
	PostRenderStrategy PostRenderStrategy `json:"postRenderStrategy,omitempty"`

	// WaitStrategy is how Helm waits for objects to be ready.
	// +optional
	WaitStrategy *WaitStrategy `json:"waitStrategy,omitempty"`

	// HealthCheckExprs read the health of custom kinds with CEL while an
	// action waits with the poller strategy.
	// +optional
	HealthCheckExprs []kustomizev1.CustomHealthCheck `json:"healthCheckExprs,omitempty"`
}

// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=hr,categories=all;fluxcd;fluxcd-appliers
// +kubebuilder:storageversion
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp",description=""
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status",description=""
// +kubebuilder:printcolumn:name="Status",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].message",description=""
// +kubebuilder:metadata:annotations="kustomize.toolkit.fluxcd.io/substitute=disabled"

// HelmRelease installs a Helm chart from a source artifact and keeps the
// release in step with its spec.
type HelmRelease struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec HelmReleaseSpec `json:"spec,omitempty"`
	// +kubebuilder:default:={"observedGeneration":-1}
	Status HelmReleaseStatus `json:"status,omitempty"`
}

// HelmReleaseList is a list of HelmReleases.
// +kubebuilder:object:root=true
type HelmReleaseList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []HelmRelease `json:"items"`
}

// GetDriftDetection returns spec.driftDetection, empty (disabled) when unset.
func (in *HelmRelease) GetDriftDetection() DriftDetection {
	if in.Spec.DriftDetection == nil {
		return DriftDetection{}
	}
	return *in.Spec.DriftDetection
}

// GetInstall returns spec.install, empty when unset.
func (in *HelmRelease) GetInstall() Install {
	if in.Spec.Install == nil {
		return Install{}
	}
	return *in.Spec.Install
}

// GetUpgrade returns spec.upgrade, empty when unset.
func (in *HelmRelease) GetUpgrade() Upgrade {
	if in.Spec.Upgrade == nil {
		return Upgrade{}
	}
	return *in.Spec.Upgrade
}

// GetTest returns spec.test, empty when unset.
func (in *HelmRelease) GetTest() Test {
	if in.Spec.Test == nil {
		return Test{}
	}
	return *in.Spec.Test
}

// GetRollback returns spec.rollback, empty when unset.
func (in *HelmRelease) GetRollback() Rollback {
	if in.Spec.Rollback == nil {
		return Rollback{}
	}
	return *in.Spec.Rollback
}

// GetUninstall returns spec.uninstall, empty when unset.
func (in *HelmRelease) GetUninstall() Uninstall {
	if in.Spec.Uninstall == nil {
		return Uninstall{}
	}
	return *in.Spec.Uninstall
}

// GetActiveRemediation returns the remediation of the last attempted
// action (install or upgrade), nil before any.
func (in *HelmRelease) GetActiveRemediation() Remediation {
	switch in.Status.LastAttemptedReleaseAction {
	case ReleaseActionInstall:
		return in.GetInstall().GetRemediation()
	case ReleaseActionUpgrade:
		return in.GetUpgrade().GetRemediation()
	default:
		return nil
	}
}

// GetActiveRetry returns the retry settings of the last attempted action,
// nil when its strategy is not RetryOnFailure (see Install.GetRetry).
func (in *HelmRelease) GetActiveRetry(retryByDefault bool) Retry {
	switch in.Status.LastAttemptedReleaseAction {
	case ReleaseActionInstall:
		return in.GetInstall().GetRetry(retryByDefault)
	case ReleaseActionUpgrade:
		return in.GetUpgrade().GetRetry(retryByDefault)
	default:
		return nil
	}
}

// GetValues returns spec.values as a map; nil when unset or not an object.
func (in *HelmRelease) GetValues() map[string]any {
	var values map[string]any
	if in.Spec.Values != nil {
		_ = yaml.Unmarshal(in.Spec.Values.Raw, &values)
	}
	return values
}

// GetReleaseName returns spec.releaseName, else '[<targetNamespace>-]<name>'
// as given (the release engine shortens it past 53 characters).
func (in *HelmRelease) GetReleaseName() string {
	if in.Spec.ReleaseName != "" {
		return in.Spec.ReleaseName
	}
	if in.Spec.TargetNamespace != "" {
		return in.Spec.TargetNamespace + "-" + in.Name
	}
	return in.Name
}

// GetReleaseNamespace returns spec.targetNamespace, else the HelmRelease's
// namespace.
func (in *HelmRelease) GetReleaseNamespace() string {
	if in.Spec.TargetNamespace != "" {
		return in.Spec.TargetNamespace
	}
	return in.Namespace
}

// GetStorageNamespace returns spec.storageNamespace, else the HelmRelease's
// namespace.
func (in *HelmRelease) GetStorageNamespace() string {
	if in.Spec.StorageNamespace != "" {
		return in.Spec.StorageNamespace
	}
	return in.Namespace
}

// GetTimeout returns spec.timeout, 5m when unset.
func (in *HelmRelease) GetTimeout() metav1.Duration {
	if in.Spec.Timeout == nil {
		return metav1.Duration{Duration: defaultTimeout}
	}
	return *in.Spec.Timeout
}

// GetMaxHistory returns spec.maxHistory, 5 when unset.
func (in *HelmRelease) GetMaxHistory() int {
	if in.Spec.MaxHistory == nil {
		return defaultMaxHistory
	}
	return *in.Spec.MaxHistory
}

// UsePersistentClient returns spec.persistentClient, true when unset.
func (in *HelmRelease) UsePersistentClient() bool {
	return in.Spec.PersistentClient == nil || *in.Spec.PersistentClient
}

// GetWaitStrategy returns spec.waitStrategy.name, empty when unset (the
// controller's default applies).
func (in *HelmRelease) GetWaitStrategy() WaitStrategyName {
	if in.Spec.WaitStrategy == nil {
		return ""
	}
	return in.Spec.WaitStrategy.Name
}

// GetPostRenderStrategy returns spec.postRenderStrategy, empty when unset.
func (in *HelmRelease) GetPostRenderStrategy() PostRenderStrategy {
	return in.Spec.PostRenderStrategy
}

// GetDependsOn returns the dependencies as namespaced references.
func (in *HelmRelease) GetDependsOn() []meta.NamespacedObjectReference {
	deps := make([]meta.NamespacedObjectReference, len(in.Spec.DependsOn))
	for i, d := range in.Spec.DependsOn {
		deps[i] = meta.NamespacedObjectReference{Name: d.Name, Namespace: d.Namespace}
	}
	return deps
}

// GetConditions returns the status conditions.
func (in *HelmRelease) GetConditions() []metav1.Condition {
	return in.Status.Conditions
}

// SetConditions replaces the status conditions.
func (in *HelmRelease) SetConditions(conditions []metav1.Condition) {
	in.Status.Conditions = conditions
}

// GetRequeueAfter returns the interval between reconciliations.
func (in *HelmRelease) GetRequeueAfter() time.Duration {
	return in.Spec.Interval.Duration
}

// GetLastHandledForceRequestStatus points at status.lastHandledForceAt.
func (in *HelmRelease) GetLastHandledForceRequestStatus() *string {
	return &in.Status.LastHandledForceAt
}

// fullName is '<namespace>-<name>', the name of the object spec.chart
// creates.
func (in *HelmRelease) fullName() string {
	return strings.Join([]string{in.Namespace, in.Name}, "-")
}
