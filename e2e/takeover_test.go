package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// fluxFinalizer is the finalizer Flux's controllers put on their objects.
const fluxFinalizer = "finalizers.fluxcd.io"

// takeoverFiles are the files of the Kustomization's path: RBAC objects named
// with ':', as RBAC names often are (their inventory ids hold "__"), beside
// plain ones. Cluster-wide names carry the namespace, so runs do not meet.
func takeoverFiles(ns string) map[string]string {
	role := "tide-e2e:" + ns + ":reader"
	return map[string]string{
		"apps/web.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  key: v1\n",
		"apps/sa.yaml":  "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n",
		"apps/role.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app:reader\n" +
			"rules:\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [get]\n",
		"apps/clusterrole.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: " + role + "\n" +
			"rules:\n- apiGroups: [\"\"]\n  resources: [namespaces]\n  verbs: [get]\n",
		"apps/clusterrolebinding.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: " + role + "\n" +
			"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: " + role + "\n" +
			"subjects:\n- kind: ServiceAccount\n  name: app\n  namespace: " + ns + "\n",
	}
}

// fluxInventory is status.inventory as Flux's kustomize-controller writes it
// for takeoverFiles: ids with ':' as "__", in Flux's apply order.
func fluxInventory(ns string) []kustomizev1.ResourceRef {
	role := "tide-e2e__" + ns + "__reader"
	return []kustomizev1.ResourceRef{
		{ID: "_" + role + "_rbac.authorization.k8s.io_ClusterRole", Version: "v1"},
		{ID: ns + "_app__ServiceAccount", Version: "v1"},
		{ID: ns + "_app__reader_rbac.authorization.k8s.io_Role", Version: "v1"},
		{ID: "_" + role + "_rbac.authorization.k8s.io_ClusterRoleBinding", Version: "v1"},
		{ID: ns + "_web__ConfigMap", Version: "v1"},
	}
}

// A cluster Flux managed is taken over: the state Flux's source- and
// kustomize-controller leave behind (objects applied server-side by the
// field manager kustomize-controller with Flux's labels, Flux's finalizer,
// and the status Flux writes, inventory included) is adopted by Tide's
// controllers as it is. Nothing is recreated or pruned that Git still has;
// a later commit that removes the ':'-named ClusterRole prunes exactly it.
func TestTakeoverFromFlux(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	files := takeoverFiles(ns)
	git := testkit.StartGitServer(t)
	repo := git.NewRepo(t, "fleet")
	revision := "master@sha1:" + repo.WriteFiles(files).Commit("first")

	// What Flux left: the objects, applied as Flux applies them.
	objs := fluxApply(t, ns, "apps", files)
	uids := map[string]types.UID{}
	for _, o := range objs {
		uids[key(o)] = o.GetUID()
	}
	source, ks := fluxObjects(t, ns, git.HTTPURL("fleet"), revision)
	t.Cleanup(func() { // cluster-wide objects outlive the namespace
		for _, o := range objs {
			if o.GetNamespace() == "" {
				_ = cp.Client.Delete(context.Background(), o)
			}
		}
	})

	start := time.Now().Truncate(time.Second)
	testkit.StartControllers(t, cp)
	// Two controller processes start cold, then clone and apply: generous,
	// as a loaded 2-core CI machine needs; a pass returns as soon as it can.
	const wait = 4 * testkit.Timeout

	// Tide ran at Flux's revision and succeeded: a new history entry for it
	// and Ready, with the same revision and inventory as Flux wrote.
	want := fmt.Sprintf("True %s Applied revision: %s | %s %s",
		meta.ReconciliationSucceededReason, revision, meta.ReconciliationSucceededReason, revision)
	g.Eventually(func() error { return tideRan(ctx, ks, start, want) }, wait, 200*time.Millisecond).Should(Succeed())
	g.Expect(ks.Status.LastAppliedRevision).To(Equal(revision))
	g.Expect(ks.Status.Inventory.Entries).To(Equal(fluxInventory(ns)), "the inventory Flux wrote, id for id")
	g.Expect(ks.Finalizers).To(Equal([]string{fluxFinalizer}))
	g.Expect(ks.Status.ObservedGeneration).To(Equal(ks.Generation))
	g.Expect(liveUIDs(ctx, objs)).To(Equal(uids), "every object kept, none recreated")
	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(source), source)).To(Succeed())
	g.Expect(source.Finalizers).To(Equal([]string{fluxFinalizer}))

	// Removing the ClusterRole from Git prunes it, and only it.
	repo.Remove("apps/clusterrole.yaml")
	second := "master@sha1:" + repo.Commit("remove the ClusterRole")
	want = fmt.Sprintf("True %s Applied revision: %s | %s %s",
		meta.ReconciliationSucceededReason, second, meta.ReconciliationSucceededReason, second)
	g.Eventually(func() error { return tideRan(ctx, ks, start, want) }, wait, 200*time.Millisecond).Should(Succeed())
	for _, o := range objs {
		if o.GetKind() == "ClusterRole" {
			delete(uids, key(o))
		}
	}
	g.Expect(liveUIDs(ctx, objs)).To(Equal(uids), "the ClusterRole pruned, the rest kept")
	g.Expect(ks.Status.Inventory.Entries).To(Equal(fluxInventory(ns)[1:]))
}

// tideRan reads ks and says how it differs from want: its Ready condition
// and its newest history entry, written by a run since start.
func tideRan(ctx context.Context, ks *kustomizev1.Kustomization, start time.Time, want string) error {
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks); err != nil {
		return err
	}
	c := conditions.Get(ks, meta.ReadyCondition)
	if c == nil || len(ks.Status.History) == 0 {
		return fmt.Errorf("no Ready condition or history yet")
	}
	h := ks.Status.History[0]
	got := fmt.Sprintf("%s %s %s | %s %s", c.Status, c.Reason, c.Message, h.LastReconciledStatus, h.Metadata["revision"])
	if h.LastReconciled.Time.Before(start) {
		got = "(not run by Tide yet) " + got
	}
	if got != want {
		return fmt.Errorf("ready condition and last history entry:\n  got  %s\n  want %s", got, want)
	}
	return nil
}

// fluxApply applies the files of path as Flux's kustomize-controller does
// for Kustomization name in ns (targetNamespace ns): server-side, field
// manager kustomize-controller, with its owner labels. It returns the
// objects as the apiserver stored them.
func fluxApply(t *testing.T, ns, name string, files map[string]string) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	for _, content := range files {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(content), &u.Object); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(u.GetKind(), "Cluster") {
			u.SetNamespace(ns)
		}
		u.SetLabels(map[string]string{
			kustomizev1.GroupVersion.Group + "/name":      name,
			kustomizev1.GroupVersion.Group + "/namespace": ns,
		})
		err := cp.Client.Apply(context.Background(), client.ApplyConfigurationFromUnstructured(u),
			client.FieldOwner("kustomize-controller"), client.ForceOwnership)
		if err != nil {
			t.Fatalf("apply %s: %v", key(u), err)
		}
		if err := cp.Client.Get(context.Background(), client.ObjectKeyFromObject(u), u); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, u)
	}
	return objs
}

// fluxObjects creates the GitRepository and the Kustomization with the
// finalizer and the status Flux's controllers write once revision is applied.
// The artifact's URL is the Flux source-controller's, which Tide's does not
// serve: its artifact has to be built again.
func fluxObjects(t *testing.T, ns, gitURL, revision string) (*sourcev1.GitRepository, *kustomizev1.Kustomization) {
	t.Helper()
	g := NewWithT(t)
	ctx := context.Background()
	commit := strings.TrimPrefix(revision, "master@sha1:")
	past := metav1.NewTime(time.Now().Add(-time.Hour).Truncate(time.Second))
	readyCondition := func(reason, message string) map[string]any {
		return map[string]any{"type": meta.ReadyCondition, "status": "True", "reason": reason, "message": message,
			"observedGeneration": 1, "lastTransitionTime": past}
	}

	source := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "fleet", Namespace: ns, Finalizers: []string{fluxFinalizer}},
		Spec:       sourcev1.GitRepositorySpec{URL: gitURL, Interval: metav1.Duration{Duration: time.Second}},
	}
	g.Expect(cp.Client.Create(ctx, source)).To(Succeed())
	unserved, err := url.Parse(testkit.UnreachableURL(t))
	g.Expect(err).NotTo(HaveOccurred())
	path := fmt.Sprintf("gitrepository/%s/fleet/%s.tar.gz", ns, commit)
	stored := fmt.Sprintf("stored artifact for revision '%s'", revision)
	patchStatus(t, source, map[string]any{
		"observedGeneration": 1,
		"artifact": map[string]any{
			"path": path, "url": "http://" + unserved.Host + "/" + path, "revision": revision,
			"digest": "sha256:" + strings.Repeat("ab", 32), "lastUpdateTime": past, "size": 1234,
		},
		"conditions": []any{
			readyCondition(meta.SucceededReason, stored),
			map[string]any{"type": "ArtifactInStorage", "status": "True", "reason": meta.SucceededReason,
				"message": stored, "observedGeneration": 1, "lastTransitionTime": past},
		},
	})

	ks := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: ns, Finalizers: []string{fluxFinalizer}},
		Spec: kustomizev1.KustomizationSpec{
			Interval: metav1.Duration{Duration: time.Hour}, Path: "./apps", Prune: true, TargetNamespace: ns,
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: "fleet"},
		},
	}
	g.Expect(cp.Client.Create(ctx, ks)).To(Succeed())
	var inventory []any
	for _, e := range fluxInventory(ns) {
		inventory = append(inventory, map[string]any{"id": e.ID, "v": e.Version})
	}
	patchStatus(t, ks, map[string]any{
		"observedGeneration":    1,
		"lastAppliedRevision":   revision,
		"lastAttemptedRevision": revision,
		"inventory":             map[string]any{"entries": inventory},
		"history": []any{map[string]any{
			"digest": "sha256:" + strings.Repeat("cd", 32), "firstReconciled": past, "lastReconciled": past,
			"lastReconciledDuration": "1.52s", "lastReconciledStatus": meta.ReconciliationSucceededReason,
			"totalReconciliations": 3, "metadata": map[string]any{"revision": revision},
		}},
		"conditions": []any{readyCondition(meta.ReconciliationSucceededReason, "Applied revision: "+revision)},
	})
	return source, ks
}

// patchStatus writes status as JSON, as a controller of another make would.
func patchStatus(t *testing.T, obj client.Object, status map[string]any) {
	t.Helper()
	patch, err := json.Marshal(map[string]any{"status": status})
	if err != nil {
		t.Fatal(err)
	}
	if err := cp.Client.Status().Patch(context.Background(), obj, client.RawPatch(types.MergePatchType, patch)); err != nil {
		t.Fatalf("status of %s: %v", obj.GetName(), err)
	}
}

// liveUIDs returns the UID of each of objs that still exists.
func liveUIDs(ctx context.Context, objs []*unstructured.Unstructured) map[string]types.UID {
	out := map[string]types.UID{}
	for _, o := range objs {
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(o.GroupVersionKind())
		err := cp.Client.Get(ctx, client.ObjectKeyFromObject(o), live)
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			out[key(o)] = types.UID("error: " + err.Error())
		default:
			out[key(o)] = live.GetUID()
		}
	}
	return out
}

func key(o client.Object) string {
	return o.GetObjectKind().GroupVersionKind().Kind + "/" + o.GetNamespace() + "/" + o.GetName()
}
