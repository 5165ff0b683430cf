package helmchart

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/helmserver"
)

// helmRepository creates a HelmRepository of srv (with its credentials in
// a Secret when it has some) and stores its index as the HelmRepository
// reconciler would.
func helmRepository(t *testing.T, ns string, srv *helmserver.Server) *sourcev1.HelmRepository {
	t.Helper()
	repo := &sourcev1.HelmRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "charts-", Namespace: ns},
		Spec:       sourcev1.HelmRepositorySpec{URL: srv.URL, Interval: metav1.Duration{Duration: time.Hour}},
	}
	if user, pass := srv.Credentials(); user != "" {
		secret := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{GenerateName: "auth-", Namespace: ns},
			Data:       map[string][]byte{"username": []byte(user), "password": []byte(pass)},
		}
		create(t, secret)
		repo.Spec.SecretRef = &meta.LocalObjectReference{Name: secret.Name}
	}
	create(t, repo)
	refreshIndex(t, repo, srv)
	return repo
}

// refreshIndex stores the index srv serves now as repo's artifact.
func refreshIndex(t *testing.T, repo *sourcev1.HelmRepository, srv *helmserver.Server) {
	t.Helper()
	storeIndex(t, repo, srv.Index())
}

// storeIndex stores data as repo's index artifact, as the HelmRepository
// reconciler does.
func storeIndex(t testing.TB, repo *sourcev1.HelmRepository, data []byte) meta.Artifact {
	t.Helper()
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	a, err := env.Store.NewArtifact(sourcev1.HelmRepositoryKind, repo.Namespace, repo.Name, "sha256:"+digest, "index-"+digest[:12]+".yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Store.Store(&a, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(repo.DeepCopy())
	repo.Status.Artifact = &a
	if err := env.CP.Client.Status().Patch(context.Background(), repo, patch); err != nil {
		t.Fatal(err)
	}
	return a
}

func sha256Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// A chart from a HelmRepository: the newest version in spec.version's
// range, downloaded with the repository's credentials and stored as it is
// served; with values files it is repackaged under "<version>+<generation>".
// A new index with a newer version moves the chart on.
func TestRepositoryChart(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	srv := helmserver.Start(t, helmserver.WithBasicAuth("reader", "s3cret"), helmserver.WithCharts(
		helmserver.Chart{Name: "app", Version: "1.0.0"}, helmserver.Chart{Name: "app", Version: "1.1.0"},
		helmserver.Chart{Name: "app", Version: "2.0.0"}, helmserver.Chart{Name: "other", Version: "1.5.0"}))
	repo := helmRepository(t, ns, srv)

	pulled := newChart(ns, sourcev1.HelmRepositoryKind, repo.Name, "app", func(c *sourcev1.HelmChart) {
		c.Spec.Version = ">=1.0.0 <2.0.0"
	})
	withValues := newChart(ns, sourcev1.HelmRepositoryKind, repo.Name, "app", func(c *sourcev1.HelmChart) {
		c.Spec.Version = "1.0.0"
		c.Spec.ValuesFiles = []string{"values.yaml", "values-prod.yaml"}
		c.Spec.IgnoreMissingValuesFiles = true
	})
	create(t, pulled)
	create(t, withValues)

	waitVersion(t, pulled, "1.1.0")
	g.Expect(conditions.Get(pulled, meta.ReadyCondition).Reason).To(Equal(sourcev1.ChartPullSucceededReason))
	g.Expect(conditions.Get(pulled, meta.ReadyCondition).Message).To(Equal("pulled 'app' chart with version '1.1.0'"))
	g.Expect(pulled.Status.Artifact.Path).To(Equal("helmchart/" + ns + "/" + pulled.Name + "/app-1.1.0.tgz"))
	g.Expect(pulled.Status.Artifact.Digest).To(Equal(sha256Digest(srv.PackageOf(helmserver.Chart{Name: "app", Version: "1.1.0"}))))
	g.Expect(pulled.Status.ObservedChartName).To(Equal("app"))
	g.Expect(pulled.Status.ObservedSourceArtifactRevision).To(Equal(repo.Status.Artifact.Revision))
	download(t, pulled.Status.Artifact)
	waitEventReason(t, pulled, sourcev1.ChartPullSucceededReason)

	waitVersion(t, withValues, "1.0.0+1")
	g.Expect(conditions.Get(withValues, meta.ReadyCondition).Reason).To(Equal(sourcev1.ChartPackageSucceededReason))
	g.Expect(withValues.Status.ObservedValuesFiles).To(Equal([]string{"values.yaml"}))
	_, version, values, _ := loadArtifact(t, withValues.Status.Artifact)
	g.Expect(version).To(Equal("1.0.0+1"))
	g.Expect(values).To(Equal(map[string]any{"greeting": "hello"}))

	srv.AddCharts(helmserver.Chart{Name: "app", Version: "1.2.0"})
	refreshIndex(t, repo, srv)
	waitVersion(t, pulled, "1.2.0")
}

// One index digest is parsed once, however many HelmCharts read it.
func TestIndexParsedOnce(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	// Chart names of this test's own, so that no other test (nor a
	// repeated run, -count) has put an index of the same digest in the
	// shared cache already.
	names := []string{"a-" + ns, "b-" + ns}
	srv := helmserver.Start(t, helmserver.WithCharts(
		helmserver.Chart{Name: names[0], Version: "1.0.0"}, helmserver.Chart{Name: names[1], Version: "1.0.0"}))
	repo := helmRepository(t, ns, srv)
	before := indexes.Parses()
	var charts []*sourcev1.HelmChart
	for i := range 12 {
		c := newChart(ns, sourcev1.HelmRepositoryKind, repo.Name, names[i%2])
		create(t, c)
		charts = append(charts, c)
	}
	for _, c := range charts {
		waitReady(t, c)
	}
	g.Expect(indexes.Parses() - before).To(Equal(int64(1)))
}

// Bad input from a HelmRepository: Ready=False with Flux's reason, a
// message saying what to do, an event, and the last artifact kept.
func TestRepositoryBadInput(t *testing.T) {
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("\x1f\x8b\x08 this is no chart"))
	}))
	t.Cleanup(garbage.Close)
	noise := make([]byte, 96<<10)
	_, _ = rand.Read(noise)
	big := helmserver.Chart{Name: "big", Version: "1.0.0", Values: "blob: " + base64.StdEncoding.EncodeToString(noise) + "\n"}

	tests := []struct {
		name    string
		breakIt func(t *testing.T, obj *sourcev1.HelmChart, ns string)
		reason  string
		stalled bool
		message []string
	}{
		{
			name:   "chart name not in the index",
			reason: sourcev1.InvalidChartReferenceReason, stalled: true,
			breakIt: func(t *testing.T, obj *sourcev1.HelmChart, _ string) {
				update(t, obj, func() { obj.Spec.Chart = "nope" })
			},
			message: []string{"no chart 'nope'", "check spec.chart"},
		},
		{
			name:   "no version in range",
			reason: sourcev1.InvalidChartReferenceReason, stalled: true,
			breakIt: func(t *testing.T, obj *sourcev1.HelmChart, _ string) {
				update(t, obj, func() { obj.Spec.Version = ">=5.0.0" })
			},
			message: []string{"'>=5.0.0'", "change spec.version"},
		},
		{
			name:   "chart tarball corrupt",
			reason: sourcev1.ChartPullErrorReason,
			breakIt: func(t *testing.T, obj *sourcev1.HelmChart, ns string) {
				srv := helmserver.Start(t, helmserver.WithChartBaseURL(garbage.URL),
					helmserver.WithCharts(helmserver.Chart{Name: "app", Version: "1.0.0"}))
				repo := helmRepository(t, ns, srv)
				update(t, obj, func() { obj.Spec.SourceRef.Name = repo.Name })
			},
			message: []string{"not a valid chart archive", "publish it again"},
		},
		{
			name:   "chart tarball over the size cap",
			reason: sourcev1.ChartPullErrorReason,
			breakIt: func(t *testing.T, obj *sourcev1.HelmChart, ns string) {
				srv := helmserver.Start(t, helmserver.WithCharts(big))
				repo := helmRepository(t, ns, srv)
				update(t, obj, func() { obj.Spec.SourceRef.Name = repo.Name; obj.Spec.Chart = "big" })
			},
			message: []string{"--helm-chart-max-size"},
		},
		{
			name:   "wrong credentials",
			reason: sourcev1.AuthenticationFailedReason,
			breakIt: func(t *testing.T, obj *sourcev1.HelmChart, ns string) {
				srv := helmserver.Start(t, helmserver.WithBasicAuth("reader", "right"),
					helmserver.WithCharts(helmserver.Chart{Name: "app", Version: "1.0.0"}))
				repo := helmRepository(t, ns, srv)
				var secret corev1.Secret
				secret.Name, secret.Namespace = repo.Spec.SecretRef.Name, ns
				update(t, &secret, func() { secret.Data["password"] = []byte("wrong") })
				update(t, obj, func() { obj.Spec.SourceRef.Name = repo.Name })
			},
			message: []string{"403", "check the credentials in spec.secretRef"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ns := testkit.NewNamespace(t, env.CP.Client)
			srv := helmserver.Start(t, helmserver.WithCharts(helmserver.Chart{Name: "app", Version: "0.9.0"}))
			repo := helmRepository(t, ns, srv)
			obj := newChart(ns, sourcev1.HelmRepositoryKind, repo.Name, "app")
			create(t, obj)
			waitReady(t, obj)
			good := obj.Status.Artifact.DeepCopy()

			tt.breakIt(t, obj, ns)
			ready := waitNotReady(t, obj, tt.reason)
			for _, m := range tt.message {
				g.Expect(ready.Message).To(ContainSubstring(m))
			}
			g.Expect(ready.Message).NotTo(ContainSubstring("s3cret"))
			g.Expect(conditions.IsTrue(obj, meta.StalledCondition)).To(Equal(tt.stalled), "Stalled")
			g.Expect(obj.Status.Artifact.Digest).To(Equal(good.Digest), "the last artifact was replaced")
			download(t, obj.Status.Artifact)
			waitEventReason(t, obj, tt.reason)
		})
	}
}
