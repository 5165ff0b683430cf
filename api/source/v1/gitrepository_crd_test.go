package v1_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

func newGitRepository(ns string, mutate func(*sourcev1.GitRepository)) *sourcev1.GitRepository {
	obj := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "repo-", Namespace: ns},
		Spec: sourcev1.GitRepositorySpec{
			URL:      "https://example.invalid/fleet.git",
			Interval: metav1.Duration{Duration: time.Minute},
		},
	}
	if mutate != nil {
		mutate(obj)
	}
	return obj
}

func TestGitRepositoryDefaults(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	obj := newGitRepository(ns, func(o *sourcev1.GitRepository) {
		o.Spec.Verification = &sourcev1.GitRepositoryVerification{SecretRef: meta.LocalObjectReference{Name: "keys"}}
	})
	if err := cp.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}

	got := &sourcev1.GitRepository{}
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	if got.Spec.Timeout == nil || got.Spec.Timeout.Duration != 60*time.Second {
		t.Errorf("spec.timeout = %v, want the default 60s", got.Spec.Timeout)
	}
	if got.Spec.Verification.Mode != sourcev1.ModeGitHEAD {
		t.Errorf("spec.verify.mode = %q, want the default HEAD", got.Spec.Verification.Mode)
	}
	if got.Status.ObservedGeneration != -1 {
		t.Errorf("status.observedGeneration = %d, want the default -1", got.Status.ObservedGeneration)
	}
}

func TestGitRepositoryValidation(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name      string
		mutate    func(*sourcev1.GitRepository)
		wantError string // a part of the apiserver's message; empty: accepted
	}{
		{"https url", nil, ""},
		{"ssh url", func(o *sourcev1.GitRepository) { o.Spec.URL = "ssh://git@example.invalid/fleet.git" }, ""},
		{"ftp url", func(o *sourcev1.GitRepository) { o.Spec.URL = "ftp://x" }, "spec.url"},
		{"scp-like url", func(o *sourcev1.GitRepository) { o.Spec.URL = "git@github.com:org/repo.git" }, "spec.url"},
		{"interval in days", func(o *sourcev1.GitRepository) {
			o.Spec.Interval = metav1.Duration{Duration: 48 * time.Hour}
		}, ""},
		{"timeout in hours", func(o *sourcev1.GitRepository) {
			o.Spec.Timeout = &metav1.Duration{Duration: time.Hour}
		}, "spec.timeout"},
		{"unknown provider", func(o *sourcev1.GitRepository) { o.Spec.Provider = "gitlab" }, "spec.provider"},
		{"github provider", func(o *sourcev1.GitRepository) { o.Spec.Provider = "github" }, ""},
		{"service account without a cloud provider", func(o *sourcev1.GitRepository) {
			o.Spec.ServiceAccountName = "git"
		}, "serviceAccountName can only be set when provider is 'azure' or 'aws'"},
		{"service account with aws", func(o *sourcev1.GitRepository) {
			o.Spec.Provider, o.Spec.ServiceAccountName = "aws", "git"
		}, ""},
		{"unknown verify mode", func(o *sourcev1.GitRepository) {
			o.Spec.Verification = &sourcev1.GitRepositoryVerification{Mode: "All", SecretRef: meta.LocalObjectReference{Name: "k"}}
		}, "spec.verify.mode"},
		{"legacy lowercase head", func(o *sourcev1.GitRepository) {
			o.Spec.Verification = &sourcev1.GitRepositoryVerification{Mode: "head", SecretRef: meta.LocalObjectReference{Name: "k"}}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := cp.Client.Create(context.Background(), newGitRepository(ns, tt.mutate))
			switch {
			case tt.wantError == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tt.wantError != "" && err == nil:
				t.Fatalf("accepted, want rejected on %q", tt.wantError)
			case tt.wantError != "" && !strings.Contains(err.Error(), tt.wantError):
				t.Fatalf("rejected with %q, want a message naming %q", err, tt.wantError)
			}
		})
	}
}

func TestGitRepositoryStatusSubresource(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	obj := newGitRepository(ns, nil)
	if err := cp.Client.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}

	obj.Status.ObservedGeneration = obj.Generation
	obj.Status.Artifact = &meta.Artifact{
		Path:           "gitrepository/ns/repo/abc.tar.gz",
		URL:            "http://source-controller.flux-system.svc/gitrepository/ns/repo/abc.tar.gz",
		Revision:       "master@sha1:0123456789abcdef0123456789abcdef01234567",
		Digest:         "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
		LastUpdateTime: metav1.Now(),
		Size:           ptr(int64(1024)),
	}
	obj.Status.Conditions = []metav1.Condition{{
		Type: meta.ReadyCondition, Status: metav1.ConditionTrue, Reason: meta.SucceededReason,
		Message: "stored artifact for revision 'master@sha1:0123456'", LastTransitionTime: metav1.Now(),
	}}
	if err := cp.Client.Status().Update(ctx, obj); err != nil {
		t.Fatalf("write status: %v", err)
	}

	// A write to the main resource must not touch status.
	obj.Spec.Suspend = true
	obj.Status.Artifact = nil
	if err := cp.Client.Update(ctx, obj); err != nil {
		t.Fatal(err)
	}

	got := &sourcev1.GitRepository{}
	if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	if !got.Spec.Suspend {
		t.Error("spec.suspend was not saved")
	}
	if got.Status.Artifact == nil || got.Status.Artifact.Revision != "master@sha1:0123456789abcdef0123456789abcdef01234567" {
		t.Errorf("status.artifact = %+v, want the one written through the status subresource", got.Status.Artifact)
	}
	if got.Status.ObservedGeneration != 1 {
		t.Errorf("status.observedGeneration = %d, want 1", got.Status.ObservedGeneration)
	}

	rows, err := testkit.TableRows(ctx, cp.Config, sourcev1.GroupVersion.WithResource("gitrepositories"), ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("kubectl get gitrepositories: %d rows, want 1", len(rows))
	}
	want := map[string]string{
		"Name": got.Name, "URL": "https://example.invalid/fleet.git",
		"Ready": "True", "Status": "stored artifact for revision 'master@sha1:0123456'",
	}
	for column, value := range want {
		if rows[0][column] != value {
			t.Errorf("column %s = %q, want %q (row: %v)", column, rows[0][column], value, rows[0])
		}
	}
}

func TestGitRepositoryDiscovery(t *testing.T) {
	dc, err := discovery.NewDiscoveryClientForConfig(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	list, err := dc.ServerResourcesForGroupVersion(sourcev1.GroupVersion.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list.APIResources {
		if r.Name == "gitrepositories" {
			if strings.Join(r.ShortNames, ",") != "gitrepo" {
				t.Errorf("short names = %v, want [gitrepo]", r.ShortNames)
			}
			if strings.Join(r.Categories, ",") != "all,fluxcd,fluxcd-sources" {
				t.Errorf("categories = %v, want all, fluxcd, fluxcd-sources", r.Categories)
			}
			return
		}
	}
	t.Fatalf("gitrepositories not served in %s", sourcev1.GroupVersion)
}

func ptr[T any](v T) *T { return &v }
