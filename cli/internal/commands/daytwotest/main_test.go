package daytwotest

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/objects"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

// syncBuffer is a bytes.Buffer safe for a command writing while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type result struct {
	stdout, stderr string
	err            error
}

// run runs a command built by newCmd against namespace ns, with stdin.
func run(t *testing.T, newCmd func(*kube.Options) *cobra.Command, ns, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return runCtx(ctx, newCmd(kube.WithConfig(cp.Config, ns)), stdin, nil, args...)
}

func runCtx(ctx context.Context, cmd *cobra.Command, stdin string, out *syncBuffer, args ...string) result {
	if out == nil {
		out = &syncBuffer{}
	}
	errOut := &syncBuffer{}
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(ctx)
	return result{stdout: out.String(), stderr: errOut.String(), err: err}
}

// assertPlain fails when s has terminal escape codes.
func assertPlain(t *testing.T, s string) {
	t.Helper()
	if strings.Contains(s, "\x1b") || strings.Contains(s, "\033") {
		t.Errorf("output on a non-terminal has escape codes: %q", s)
	}
}

func newGitRepo(t *testing.T, ns, name string, mutate ...func(*sourcev1.GitRepository)) *sourcev1.GitRepository {
	t.Helper()
	r := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: sourcev1.GitRepositorySpec{
			URL:       "https://git.example.com/org/" + name + ".git",
			Interval:  metav1.Duration{Duration: time.Minute},
			Reference: &sourcev1.GitRepositoryRef{Branch: "main"},
		},
	}
	for _, m := range mutate {
		m(r)
	}
	if err := cp.Client.Create(context.Background(), r); err != nil {
		t.Fatalf("create GitRepository %s: %v", name, err)
	}
	return r
}

func newKustomization(t *testing.T, ns, name, source string, mutate ...func(*kustomizev1.Kustomization)) *kustomizev1.Kustomization {
	t.Helper()
	k := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: kustomizev1.KustomizationSpec{
			Interval:  metav1.Duration{Duration: 10 * time.Minute},
			Path:      "./deploy",
			Prune:     true,
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: source},
		},
	}
	for _, m := range mutate {
		m(k)
	}
	if err := cp.Client.Create(context.Background(), k); err != nil {
		t.Fatalf("create Kustomization %s: %v", name, err)
	}
	return k
}

// setStatus writes what a controller would after a reconcile: the handled
// request token, the revision, Ready and the observed generation.
func setStatus(t *testing.T, obj client.Object, token, revision string, ready metav1.ConditionStatus, msg string) {
	t.Helper()
	if err := writeStatus(context.Background(), obj, token, revision, ready, msg); err != nil {
		t.Fatalf("write status of %s: %v", obj.GetName(), err)
	}
}

func writeStatus(ctx context.Context, obj client.Object, token, revision string, ready metav1.ConditionStatus, msg string) error {
	cond := metav1.Condition{Type: meta.ReadyCondition, Status: ready, Reason: "Succeeded", Message: msg, ObservedGeneration: obj.GetGeneration(),
		LastTransitionTime: metav1.Now()}
	if ready == metav1.ConditionFalse {
		cond.Reason = "Failed"
	}
	// Every Tide kind has these status fields under the same names; a
	// source holds its revision in its artifact, a Kustomization as
	// lastAppliedRevision.
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return err
	}
	status, _ := u["status"].(map[string]any)
	if status == nil {
		status = map[string]any{}
	}
	status["lastHandledReconcileAt"] = token
	status["observedGeneration"] = obj.GetGeneration()
	if revision != "" {
		if _, ok := obj.(*kustomizev1.Kustomization); ok {
			status["lastAppliedRevision"] = revision
		} else {
			status["artifact"] = map[string]any{"path": "x.tar.gz", "url": "http://source/x.tar.gz", "revision": revision,
				"digest": "sha256:00", "lastUpdateTime": metav1.Now().UTC().Format(time.RFC3339)}
		}
	}
	c, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&cond)
	if err != nil {
		return err
	}
	status["conditions"] = []any{c}
	u["status"] = status
	gvk, err := apiutil.GVKForObject(obj, cp.Client.Scheme())
	if err != nil {
		return err
	}
	un := &unstructured.Unstructured{Object: u}
	un.SetGroupVersionKind(gvk)
	if err := cp.Client.Status().Update(ctx, un); err != nil {
		return err
	}
	return runtime.DefaultUnstructuredConverter.FromUnstructured(un.Object, obj)
}

// fakeController acts as Tide's controller for one object until the test
// ends: on each new reconcile request, or new generation, it marks it
// handled with revision and Ready = ready (msg).
func fakeController(t *testing.T, obj client.Object, revision string, ready metav1.ConditionStatus, msg string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	key := client.ObjectKeyFromObject(obj)
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
			cur := obj.DeepCopyObject().(client.Object)
			if err := cp.Client.Get(ctx, key, cur); err != nil {
				continue
			}
			token := cur.GetAnnotations()[meta.ReconcileRequestAnnotation]
			handled, observed := handledState(cur)
			if token == handled && observed == cur.GetGeneration() {
				continue
			}
			_ = writeStatus(ctx, cur, token, revision, ready, msg)
		}
	}()
}

func handledState(obj client.Object) (string, int64) {
	return objects.LastHandledReconcileAt(obj), objects.ObservedGeneration(obj)
}
