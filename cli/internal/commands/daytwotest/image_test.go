package daytwotest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/cli/internal/commands/create"
	"github.com/tidegitops/tide/cli/internal/commands/delete"
	"github.com/tidegitops/tide/cli/internal/commands/export"
	"github.com/tidegitops/tide/cli/internal/commands/get"
	"github.com/tidegitops/tide/cli/internal/commands/reconcile"
	"github.com/tidegitops/tide/cli/internal/commands/resume"
	"github.com/tidegitops/tide/cli/internal/commands/suspend"
	"github.com/tidegitops/tide/testkit"
)

// What `flux create image repository|policy|update ... --export` prints
// for the same flags (image.toolkit.fluxcd.io/v1, keys sorted, empty
// fields left out).
const (
	fluxImageRepository = `---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: podinfo
  namespace: NS
spec:
  certSecretRef:
    name: registry-ca
  image: ghcr.io/stefanprodan/podinfo
  interval: 5m0s
  secretRef:
    name: regcred
  timeout: 1m30s
`
	fluxImagePolicy = `---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: main
  namespace: NS
spec:
  filterTags:
    extract: $ts
    pattern: ^main-[a-f0-9]+-(?P<ts>[0-9]+)
  imageRepositoryRef:
    name: podinfo
  policy:
    numerical:
      order: asc
`
	fluxImagePolicySemver = `---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: podinfo
  namespace: NS
spec:
  imageRepositoryRef:
    name: podinfo
  policy:
    semver:
      range: '>=1.0.0'
`
	fluxImagePolicyDigest = `---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: pinned
  namespace: NS
spec:
  digestReflectionPolicy: Always
  imageRepositoryRef:
    name: podinfo
  interval: 10m0s
  policy:
    alphabetical:
      order: desc
`
	fluxImageUpdate = `---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata:
  name: flux-system
  namespace: NS
spec:
  git:
    checkout:
      ref:
        branch: main
    commit:
      author:
        email: flux@example.com
        name: flux
      messageTemplate: '{{range .Changed.Changes}}{{println .NewValue}}{{end}}'
    push:
      branch: image-updates
  interval: 1m0s
  sourceRef:
    kind: GitRepository
    name: flux-system
    namespace: flux-system
  update:
    path: ./clusters/my-cluster
    strategy: Setters
`
)

func TestCreateImageExportAsFlux(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"repository", []string{"repository", "podinfo", "--image=ghcr.io/stefanprodan/podinfo", "--interval=5m",
			"--secret-ref=regcred", "--cert-ref=registry-ca", "--scan-timeout=90s"}, fluxImageRepository},
		{"numerical policy", []string{"policy", "main", "--image-ref=podinfo", "--select-numeric=asc",
			"--filter-regex=^main-[a-f0-9]+-(?P<ts>[0-9]+)", "--filter-extract=$ts"}, fluxImagePolicy},
		{"semver policy", []string{"policy", "podinfo", "--image-ref=podinfo", "--select-semver=>=1.0.0"}, fluxImagePolicySemver},
		{"digest policy", []string{"policy", "pinned", "--image-ref=podinfo", "--select-alpha=desc", "--reflect-digest=Always", "--interval=10m"}, fluxImagePolicyDigest},
		{"update", []string{"update", "flux-system", "--git-repo-ref=flux-system", "--git-repo-namespace=flux-system",
			"--git-repo-path=./clusters/my-cluster", "--checkout-branch=main", "--push-branch=image-updates",
			"--author-name=flux", "--author-email=flux@example.com",
			"--commit-template={{range .Changed.Changes}}{{println .NewValue}}{{end}}"}, fluxImageUpdate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			r := run(t, create.New, ns, "", append(append([]string{"image"}, tt.args...), "--export")...)
			g.Expect(r.err).NotTo(HaveOccurred())
			g.Expect(r.stdout).To(Equal(strings.ReplaceAll(tt.want, "NS", ns)))
		})
	}
	c := notificationClient(t)
	for _, obj := range []client.Object{&imagev1.ImageRepository{}, &imagev1.ImagePolicy{}, &imagev1.ImageUpdateAutomation{}} {
		err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "podinfo"}, obj)
		NewWithT(t).Expect(apierrors.IsNotFound(err)).To(BeTrue(), "--export must not create %T", obj)
	}
}

func TestCreateImageInvalid(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	update := []string{"update", "u", "--git-repo-ref=fleet", "--checkout-branch=main", "--author-name=flux", "--author-email=flux@example.com"}
	without := func(flag string) []string {
		var out []string
		for _, a := range update {
			if !strings.HasPrefix(a, flag+"=") {
				out = append(out, a)
			}
		}
		return out
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"repository without image", []string{"repository", "r"}, "an image repository (--image) is required"},
		{"repository with a tag", []string{"repository", "r", "--image=ghcr.io/org/app:1.0"}, `--image "ghcr.io/org/app:1.0" is not an image repository`},
		{"policy without repository", []string{"policy", "p", "--select-semver=1.x"}, "--image-ref"},
		{"policy without choice", []string{"policy", "p", "--image-ref=r"}, "a policy must be provided with either --select-semver, --select-alpha or --select-numeric"},
		{"policy with two choices", []string{"policy", "p", "--image-ref=r", "--select-semver=1.x", "--select-alpha=asc"}, "only one of --select-semver, --select-alpha or --select-numeric"},
		{"policy bad order", []string{"policy", "p", "--image-ref=r", "--select-numeric=up"}, `--select-numeric must be one of ["asc", "desc"]`},
		{"policy bad regex", []string{"policy", "p", "--image-ref=r", "--select-alpha=asc", "--filter-regex=^(main"}, "--filter-regex is an invalid regex pattern"},
		{"policy extract without regex", []string{"policy", "p", "--image-ref=r", "--select-alpha=asc", "--filter-extract=$1"}, "cannot specify --filter-extract without specifying --filter-regex"},
		{"policy extract names no group", []string{"policy", "p", "--image-ref=r", "--select-alpha=asc", "--filter-regex=^(?P<ts>[0-9]+)$", "--filter-extract=$time"}, "capture group $time used in --filter-extract not found in --filter-regex"},
		{"policy extract numbers no group", []string{"policy", "p", "--image-ref=r", "--select-alpha=asc", "--filter-regex=^v([0-9]+)$", "--filter-extract=$2"}, "capture group $2 used in --filter-extract not found"},
		{"policy extract malformed", []string{"policy", "p", "--image-ref=r", "--select-alpha=asc", "--filter-regex=^v([0-9]+)$", "--filter-extract=${1"}, "--filter-extract is malformed"},
		{"policy unknown reflection", []string{"policy", "p", "--image-ref=r", "--select-alpha=asc", "--reflect-digest=Sometimes"}, `--reflect-digest "Sometimes" is unknown`},
		{"policy interval without Always", []string{"policy", "p", "--image-ref=r", "--select-alpha=asc", "--reflect-digest=IfNotPresent", "--interval=5m"}, "--interval is only accepted with --reflect-digest=Always"},
		{"policy Always without interval", []string{"policy", "p", "--image-ref=r", "--select-alpha=asc", "--reflect-digest=Always"}, "--reflect-digest=Always needs --interval"},
		{"update without repository", without("--git-repo-ref"), "a reference to a GitRepository is required (--git-repo-ref)"},
		{"update without branch", without("--checkout-branch"), "the Git repository branch is required (--checkout-branch)"},
		{"update without author", without("--author-name"), "the author name is required (--author-name)"},
		{"update without email", without("--author-email"), "the author email is required (--author-email)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, create.New, ns, "", append(append([]string{"image"}, tt.args...), "--export")...)
			NewWithT(t).Expect(r.err).To(MatchError(ContainSubstring(tt.wantErr)))
		})
	}
}

// imageController stands in for the image automation controller: on each
// reconcile request or new generation it writes what a run leaves in the
// object's status.
func imageController(t *testing.T, c client.Client, obj client.Object, status func(client.Object)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	key := client.ObjectKeyFromObject(obj)
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
			cur := obj.DeepCopyObject().(client.Object)
			if err := c.Get(ctx, key, cur); err != nil {
				continue
			}
			token := cur.GetAnnotations()[meta.ReconcileRequestAnnotation]
			handled, observed := handledState(cur)
			if token == handled && observed == cur.GetGeneration() {
				continue
			}
			status(cur)
			_ = c.Status().Update(ctx, cur)
		}
	}()
}

func ready(gen int64, msg string) []metav1.Condition {
	return []metav1.Condition{{Type: meta.ReadyCondition, Status: metav1.ConditionTrue, Reason: meta.SucceededReason,
		Message: msg, ObservedGeneration: gen, LastTransitionTime: metav1.Now()}}
}

// Every day-2 verb works on the three image kinds, from the kinds table:
// create waits for the controller, get shows flux's columns, reconcile
// sets the request annotation and reports the run, suspend, resume,
// export and delete.
func TestDayTwoOnImageKinds(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	c := notificationClient(t)
	scanned := metav1.NewTime(time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC))
	ran := metav1.NewTime(time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC))

	key := func(name string) client.ObjectKey { return client.ObjectKey{Namespace: ns, Name: name} }
	imageController(t, c, &imagev1.ImageRepository{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "podinfo"}}, func(o client.Object) {
		r := o.(*imagev1.ImageRepository)
		r.Status.LastHandledReconcileAt = r.Annotations[meta.ReconcileRequestAnnotation]
		r.Status.ObservedGeneration = r.Generation
		r.Status.LastScanResult = &imagev1.ScanResult{TagCount: 42, ScanTime: scanned, LatestTags: []string{"6.7.0"}}
		r.Status.CanonicalImageName = "ghcr.io/stefanprodan/podinfo"
		r.Status.Conditions = ready(r.Generation, "successful scan: found 42 tags")
	})
	imageController(t, c, &imagev1.ImagePolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "podinfo"}}, func(o client.Object) {
		p := o.(*imagev1.ImagePolicy)
		p.Status.LastHandledReconcileAt = p.Annotations[meta.ReconcileRequestAnnotation]
		p.Status.ObservedGeneration = p.Generation
		p.Status.LatestRef = &imagev1.ImageRef{Name: "ghcr.io/stefanprodan/podinfo", Tag: "6.7.0"}
		p.Status.Conditions = ready(p.Generation, "Latest image tag for 'ghcr.io/stefanprodan/podinfo' resolved to 6.7.0")
	})
	imageController(t, c, &imagev1.ImageUpdateAutomation{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "fleet"}}, func(o client.Object) {
		u := o.(*imagev1.ImageUpdateAutomation)
		u.Status.LastHandledReconcileAt = u.Annotations[meta.ReconcileRequestAnnotation]
		u.Status.ObservedGeneration = u.Generation
		u.Status.LastAutomationRunTime = &ran
		u.Status.Conditions = ready(u.Generation, "repository up-to-date")
	})

	r := run(t, create.New, ns, "", "image", "repository", "podinfo", "--image=ghcr.io/stefanprodan/podinfo")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(HaveSuffix("✔ scan fetched 42 tags\n"))
	r = run(t, create.New, ns, "", "image", "policy", "podinfo", "--image-ref=podinfo", "--select-semver=>=6.0.0")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(HaveSuffix("✔ latest image ghcr.io/stefanprodan/podinfo:6.7.0\n"))
	r = run(t, create.New, ns, "", "image", "update", "fleet", "--git-repo-ref=fleet", "--checkout-branch=main",
		"--author-name=flux", "--author-email=flux@example.com")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(HaveSuffix("✔ repository up-to-date\n"))

	for _, tt := range []struct {
		word, header, name, revision string
	}{
		{"repository", "LAST SCAN", "podinfo", "2026-12-05T10:00:00Z"},
		{"policy", "LATEST IMAGE", "podinfo", "ghcr.io/stefanprodan/podinfo:6.7.0"},
		{"update", "LAST RUN", "fleet", "2026-12-05T11:00:00Z"},
	} {
		r = run(t, get.New, ns, "", "images", tt.word)
		g.Expect(r.err).NotTo(HaveOccurred())
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		g.Expect(lines).To(HaveLen(2))
		g.Expect(lines[0]).To(MatchRegexp(`^NAME\s+` + tt.header + `\s+SUSPENDED\s+READY\s+MESSAGE$`))
		g.Expect(strings.Fields(lines[1])[:4]).To(Equal([]string{tt.name, tt.revision, "false", "True"}))
	}
	r = run(t, get.New, ns, "", "images", "all")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(ContainSubstring("imagerepository/podinfo"))
	g.Expect(r.stdout).To(ContainSubstring("imagepolicy/podinfo"))
	g.Expect(r.stdout).To(ContainSubstring("imageupdateautomation/fleet"))
	r = run(t, get.New, "empty-"+ns, "", "images", "all")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(ContainSubstring("no image automation objects found"))

	// reconcile sets the request annotation and reports the run.
	for _, tt := range []struct {
		word, name, report string
		obj                client.Object
	}{
		{"repository", "podinfo", "✔ scan fetched 42 tags", &imagev1.ImageRepository{}},
		{"update", "fleet", "✔ repository up-to-date", &imagev1.ImageUpdateAutomation{}},
		{"policy", "podinfo", "✔ latest image ghcr.io/stefanprodan/podinfo:6.7.0", &imagev1.ImagePolicy{}},
	} {
		r = run(t, reconcile.New, ns, "", "image", tt.word, tt.name)
		g.Expect(r.err).NotTo(HaveOccurred())
		g.Expect(r.stderr).To(ContainSubstring(tt.report))
		g.Expect(c.Get(ctx, key(tt.name), tt.obj)).To(Succeed())
		g.Expect(tt.obj.GetAnnotations()).To(HaveKey(meta.ReconcileRequestAnnotation))
	}

	for _, tt := range []struct {
		word, name, kind string
		obj              client.Object
	}{
		{"repository", "podinfo", "ImageRepository", &imagev1.ImageRepository{}},
		{"policy", "podinfo", "ImagePolicy", &imagev1.ImagePolicy{}},
		{"update", "fleet", "ImageUpdateAutomation", &imagev1.ImageUpdateAutomation{}},
	} {
		r = run(t, suspend.New, ns, "", "image", tt.word, tt.name)
		g.Expect(r.err).NotTo(HaveOccurred())
		g.Expect(c.Get(ctx, key(tt.name), tt.obj)).To(Succeed())
		g.Expect(imageSuspended(tt.obj)).To(BeTrue())
		r = run(t, reconcile.New, ns, "", "image", tt.word, tt.name)
		g.Expect(r.err).To(MatchError(ContainSubstring("is suspended: resume it with 'tide resume image " + tt.word)))
		r = run(t, resume.New, ns, "", "image", tt.word, tt.name)
		g.Expect(r.err).NotTo(HaveOccurred())
		g.Expect(c.Get(ctx, key(tt.name), tt.obj)).To(Succeed())
		g.Expect(imageSuspended(tt.obj)).To(BeFalse())

		r = run(t, export.New, ns, "", "image", tt.word, tt.name)
		g.Expect(r.err).NotTo(HaveOccurred())
		g.Expect(r.stdout).To(HavePrefix("---\napiVersion: image.toolkit.fluxcd.io/v1\nkind: " + tt.kind + "\n"))
		g.Expect(r.stdout).NotTo(ContainSubstring("status"))
		g.Expect(r.stdout).NotTo(ContainSubstring(meta.ReconcileRequestAnnotation))

		r = run(t, delete.New, ns, "", "image", tt.word, tt.name, "--silent")
		g.Expect(r.err).NotTo(HaveOccurred())
		g.Expect(r.stderr).To(ContainSubstring("✔ image " + tt.word + " deleted"))
		g.Expect(apierrors.IsNotFound(c.Get(ctx, key(tt.name), tt.obj))).To(BeTrue())
	}
}

func imageSuspended(obj client.Object) bool {
	switch o := obj.(type) {
	case *imagev1.ImageRepository:
		return o.Spec.Suspend
	case *imagev1.ImagePolicy:
		return o.Spec.Suspend
	case *imagev1.ImageUpdateAutomation:
		return o.Spec.Suspend
	}
	return false
}
