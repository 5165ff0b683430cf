package imageupdate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// TestBadInput: each failure a user can cause ends in Ready=False with
// Flux's reason, a message saying what to do and a warning event, and
// pushes nothing half-made.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(t *testing.T, ns string, srv *testkit.GitServer, a *imagev1.ImageUpdateAutomation) (url string)
		wantReason string
		wantMsg    []string
		// wantPushed: the run pushes the updates it could make.
		wantPushed bool
	}{{
		name: "unreachable repository",
		setup: func(t *testing.T, ns string, srv *testkit.GitServer, a *imagev1.ImageUpdateAutomation) string {
			return testkit.UnreachableURL(t)
		},
		wantReason: imagev1.GitOperationFailedReason, wantMsg: []string{"reachable"},
	}, {
		name: "wrong credentials",
		setup: func(t *testing.T, ns string, srv *testkit.GitServer, a *imagev1.ImageUpdateAutomation) string {
			return "creds:wr0ng-pass"
		},
		wantReason: imagev1.GitOperationFailedReason, wantMsg: []string{"credentials"},
	}, {
		name: "unknown branch",
		setup: func(t *testing.T, ns string, srv *testkit.GitServer, a *imagev1.ImageUpdateAutomation) string {
			a.Spec.GitSpec.Checkout = &imagev1.GitCheckoutSpec{Reference: sourcev1.GitRepositoryRef{Branch: "nope"}}
			return ""
		},
		wantReason: imagev1.GitOperationFailedReason, wantMsg: []string{"nope", "spec.git.checkout.ref"},
	}, {
		name: "no branch to push to",
		setup: func(t *testing.T, ns string, srv *testkit.GitServer, a *imagev1.ImageUpdateAutomation) string {
			a.Spec.GitSpec.Checkout = &imagev1.GitCheckoutSpec{Reference: sourcev1.GitRepositoryRef{Tag: "v1.0.0"}}
			return ""
		},
		wantReason: imagev1.InvalidSourceConfigReason, wantMsg: []string{"no branch to push to", "spec.git.push.branch"},
	}, {
		name: "GitRepository missing",
		setup: func(t *testing.T, ns string, srv *testkit.GitServer, a *imagev1.ImageUpdateAutomation) string {
			a.Spec.SourceRef.Name = "elsewhere"
			return ""
		},
		wantReason: imagev1.InvalidSourceConfigReason, wantMsg: []string{"elsewhere", "does not exist"},
	}, {
		name: "commit template that fails to execute",
		setup: func(t *testing.T, ns string, srv *testkit.GitServer, a *imagev1.ImageUpdateAutomation) string {
			a.Spec.GitSpec.Commit.MessageTemplate = "cluster {{ .Values.cluster }}"
			return ""
		},
		wantReason: imagev1.UpdateFailedReason, wantMsg: []string{"messageTemplate cannot be executed", "cluster"},
	}, {
		name: "template of Flux's removed .Updated",
		setup: func(t *testing.T, ns string, srv *testkit.GitServer, a *imagev1.ImageUpdateAutomation) string {
			a.Spec.GitSpec.Commit.MessageTemplate = "{{ range .Updated.Images }}{{ . }}{{ end }}"
			return ""
		},
		wantReason: imagev1.RemovedTemplateFieldReason, wantMsg: []string{"'.Changed'"},
	}, {
		name: "signing key that does not load",
		setup: func(t *testing.T, ns string, srv *testkit.GitServer, a *imagev1.ImageUpdateAutomation) string {
			create(t, secret(ns, "signing", map[string]string{"git.asc": "not a key"}))
			a.Spec.GitSpec.Commit.SigningKey = &imagev1.SigningKey{}
			a.Spec.GitSpec.Commit.SigningKey.SecretRef.Name = "signing"
			return ""
		},
		wantReason: imagev1.InvalidSourceConfigReason, wantMsg: []string{"signing key", "git.asc"},
	}, {
		name: "push rejected by the server",
		setup: func(t *testing.T, ns string, srv *testkit.GitServer, a *imagev1.ImageUpdateAutomation) string {
			return "protected"
		},
		wantReason: imagev1.GitOperationFailedReason, wantMsg: []string{"cannot update branch 'master'", "pre-receive hook declined", "branch protection"},
	}, {
		name: "marker naming a missing policy, and a file that does not parse",
		setup: func(t *testing.T, ns string, srv *testkit.GitServer, a *imagev1.ImageUpdateAutomation) string {
			return "extra-files"
		},
		wantReason: imagev1.UpdateFailedReason,
		wantMsg:    []string{"typo.yaml: a marker names ImagePolicy", "/nope', which does not exist", "file broken.yaml was left untouched"},
		wantPushed: true,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := testkit.NewNamespace(t, env.cp.Client)
			srv := testkit.StartGitServer(t, testkit.WithBasicAuth("git", "s3cret-pass"))
			repo := srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns))
			auto := newAutomation(ns)
			url := tt.setup(t, ns, srv, auto)
			password := "s3cret-pass"
			switch {
			case url == "extra-files":
				repo.Write("typo.yaml", "image: x:1 # {\"$imagepolicy\": \""+ns+":nope\"}\n").
					Write("broken.yaml", "image: [x:1 # {\"$imagepolicy\": \""+ns+":web\"}\n")
				url = ""
			case strings.HasPrefix(url, "creds:"):
				password, url = strings.TrimPrefix(url, "creds:"), ""
			}
			base := repo.Commit("init")
			if url == "protected" {
				protect(t, srv.RepoDir("fleet"))
				url = ""
			}
			if url == "" {
				url = srv.HTTPURL("fleet")
			}
			create(t, secret(ns, "git-creds", map[string]string{"username": "git", "password": password}))
			newGitRepository(t, ns, url, withSecret("git-creds"))
			newPolicy(t, ns, "web", "ghcr.io/org/web", "2.0.0", nil)
			create(t, auto)

			got := waitReady(t, auto, metav1.ConditionFalse, tt.wantReason)
			g := NewWithT(t)
			for _, m := range tt.wantMsg {
				g.Expect(readyMessage(got)).To(ContainSubstring(m))
			}
			g.Expect(readyMessage(got)).NotTo(ContainSubstring("s3cret-pass"))
			g.Expect(readyMessage(got)).NotTo(ContainSubstring("wr0ng-pass"))
			waitForEvent(t, auto, "Warning", tt.wantReason, tt.wantMsg[0])
			if url != srv.HTTPURL("fleet") {
				return
			}
			head := remoteHead(t, srv, "fleet", "master")
			if !tt.wantPushed {
				g.Expect(head.Hash.String()).To(Equal(base), "something was pushed")
				return
			}
			g.Expect(head.ParentHashes[0].String()).To(Equal(base))
			g.Expect(fileAt(t, head, "web.yaml")).To(ContainSubstring("ghcr.io/org/web:2.0.0 #"))
			g.Expect(fileAt(t, head, "broken.yaml")).To(HavePrefix("image: [x:1 #"))
			g.Expect(got.Status.LastPushCommit).To(Equal(head.Hash.String()))
		})
	}
}

// protect installs a pre-receive hook that refuses every push, as a
// protected branch does.
func protect(t *testing.T, bare string) {
	t.Helper()
	hook := filepath.Join(bare, "hooks", "pre-receive")
	if err := os.MkdirAll(filepath.Dir(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hook, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}
