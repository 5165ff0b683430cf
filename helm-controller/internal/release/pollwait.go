package release

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"helm.sh/helm/v4/pkg/kube"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/clusterkit/health"
	"github.com/tidegitops/tide/clusterkit/inventory"
)

// pollWaiter is Helm's Waiter for Flux's waitStrategy poller: every round
// it reads each object it waits for, one GET apiece, with clusterkit/health
// (the kustomize-controller's health check: kstatus, healthCheckExprs, and
// a Failed rollout ends the wait at once). Helm's own kstatus waiter
// watches instead, and its informers list and watch every object of each
// kind in the release's namespace: with a thousand releases in one
// namespace, each wait decoded the objects of all the others, which made
// the controller's work grow as N².
type pollWaiter struct {
	// ctx ends the waits of the action (the reconcile's context).
	ctx    context.Context
	reader client.Reader
	exprs  []kustomizev1.CustomHealthCheck
	// log is Helm's logger of the release (debug level).
	log *slog.Logger
}

var (
	jobKind = schema.GroupKind{Group: "batch", Kind: "Job"}
	podKind = schema.GroupKind{Kind: "Pod"}
)

// Wait waits until the objects are Current; a Job is Current once started.
func (w *pollWaiter) Wait(resources kube.ResourceList, timeout time.Duration) error {
	return w.wait(refsOf(resources), timeout, nil)
}

// WaitWithJobs waits as Wait does, and for Jobs to complete.
func (w *pollWaiter) WaitWithJobs(resources kube.ResourceList, timeout time.Duration) error {
	return w.wait(refsOf(resources), timeout, map[schema.GroupKind]health.KindRule{jobKind: jobComplete})
}

// WatchUntilReady waits for hooks as Helm does: Jobs until they complete,
// Pods until they succeed, kinds healthCheckExprs cover until Current; any
// other kind is done once created.
func (w *pollWaiter) WatchUntilReady(resources kube.ResourceList, timeout time.Duration) error {
	exprs, err := health.Compile(w.exprs)
	if err != nil {
		return err
	}
	var hooks []inventory.ObjectRef
	for _, ref := range refsOf(resources) {
		gk := ref.GroupVersionKind().GroupKind()
		if gk == jobKind || gk == podKind || exprs.CoversGroupKind(gk) {
			hooks = append(hooks, ref)
		}
	}
	return w.wait(hooks, timeout, map[schema.GroupKind]health.KindRule{jobKind: jobComplete, podKind: podSucceeded})
}

func (w *pollWaiter) wait(refs []inventory.ObjectRef, timeout time.Duration, kinds map[schema.GroupKind]health.KindRule) error {
	checker := &health.Checker{Reader: w.reader}
	return checker.Wait(w.ctx, refs, health.Options{Timeout: orDefault(timeout), Exprs: w.exprs, KindRules: kinds,
		Waiting: func(unhealthy []health.Result) {
			w.log.Debug("waiting for objects", "count", len(unhealthy), "first", unhealthy[0].String(), "timeout", orDefault(timeout))
		}})
}

// WaitForDelete waits until none of the objects can be read.
func (w *pollWaiter) WaitForDelete(resources kube.ResourceList, timeout time.Duration) error {
	refs := refsOf(resources)
	var left []string
	err := wait.PollUntilContextTimeout(w.ctx, health.DefaultInterval, orDefault(timeout), true, func(ctx context.Context) (bool, error) {
		left = left[:0]
		for _, ref := range refs {
			obj := &unstructured.Unstructured{}
			obj.SetGroupVersionKind(ref.GroupVersionKind())
			err := w.reader.Get(ctx, client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, obj)
			if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
				continue
			}
			left = append(left, ref.String())
		}
		return len(left) == 0, nil
	})
	if err != nil && len(left) > 0 {
		return fmt.Errorf("timeout waiting for the deletion of %s", strings.Join(left, ", "))
	}
	return err
}

// orDefault is Helm's rule: a wait without a timeout gets its default
// rather than giving up at once.
func orDefault(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return kube.DefaultStatusWatcherTimeout
	}
	return timeout
}

// refsOf names the objects of a Helm resource list, leaving out paused
// Deployments, which Helm does not wait for: they will not roll out.
func refsOf(resources kube.ResourceList) []inventory.ObjectRef {
	refs := make([]inventory.ObjectRef, 0, len(resources))
	for _, info := range resources {
		if dep, ok := kube.AsVersioned(info).(*appsv1.Deployment); ok && dep.Spec.Paused {
			continue
		}
		gvk := info.Object.GetObjectKind().GroupVersionKind()
		if info.Mapping != nil {
			gvk = info.Mapping.GroupVersionKind
		}
		refs = append(refs, inventory.ObjectRef{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind,
			Namespace: info.Namespace, Name: info.Name})
	}
	return refs
}

// jobComplete reads a Job as Helm does when it waits for Jobs: Current
// once complete, Failed once failed, in progress until then.
func jobComplete(obj *unstructured.Unstructured) (string, string) {
	objc, err := status.GetObjectWithConditions(obj.Object)
	if err != nil {
		return health.Unknown, fmt.Sprintf("cannot read its conditions: %v", err)
	}
	for _, c := range objc.Status.Conditions {
		switch {
		case c.Status != corev1.ConditionTrue:
		case c.Type == "Complete":
			succeeded, _, _ := unstructured.NestedInt64(obj.Object, "status", "succeeded")
			return health.Current, fmt.Sprintf("Job completed: %d succeeded", succeeded)
		case c.Type == "Failed":
			return health.Failed, fmt.Sprintf("Job failed: %s: %s", c.Reason, c.Message)
		}
	}
	return health.InProgress, "Job has not completed"
}

// podSucceeded reads a hook Pod as Helm does: Current once it succeeded.
func podSucceeded(obj *unstructured.Unstructured) (string, string) {
	switch phase, _, _ := unstructured.NestedString(obj.Object, "status", "phase"); phase {
	case "Succeeded":
		return health.Current, "Pod succeeded"
	case "Failed":
		return health.Failed, "Pod failed"
	default:
		return health.InProgress, "Pod has not finished"
	}
}
