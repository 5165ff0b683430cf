package helmchart

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/helmserver"
	"github.com/tidegitops/tide/testkit/ociregistry"
)

// umbrella is a Git chart depending on charts of two repositories.
func umbrella(httpURL, ociURL string) map[string]string {
	return map[string]string{
		"umbrella/Chart.yaml": "apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n" +
			"- name: web\n  version: '~1.0.0'\n  repository: " + httpURL + "\n" +
			"- name: db\n  version: '>=2.0.0'\n  repository: " + ociURL + "\n  alias: database\n",
		"umbrella/templates/NOTES.txt": "umbrella\n",
	}
}

// Repository dependencies of a Git chart are fetched with the credentials
// of the HelmRepository of the namespace with the same URL (HTTP and OCI),
// as Flux does; without one they are read anonymously, and a repository
// that wants credentials fails the build with DependencyBuildError.
func TestGitRepositoryDependencies(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	srv := helmserver.Start(t, helmserver.WithBasicAuth("reader", "s3cret"), helmserver.WithCharts(
		helmserver.Chart{Name: "web", Version: "1.0.3"}, helmserver.Chart{Name: "web", Version: "1.1.0"}))
	reg := ociregistry.New(t, ociregistry.Options{Username: registryUser, Password: registryPass})
	pushChart(t, reg, "charts/db", "2.1.0", helmserver.Package(t, helmserver.Chart{Name: "db", Version: "2.1.0"}), helmChartLayerMediaType)

	src := gitSource(t, ns, umbrella(srv.URL, reg.Ref("charts")))
	obj := newChart(ns, sourcev1.GitRepositoryKind, src.Name, "umbrella")
	create(t, obj)
	ready := waitNotReady(t, obj, sourcev1.DependencyBuildErrorReason)
	g.Expect(ready.Message).To(ContainSubstring("dependency 'web'"))
	g.Expect(ready.Message).To(ContainSubstring("create a HelmRepository for its repository URL"))
	g.Expect(ready.Message).NotTo(ContainSubstring("s3cret"))
	waitEventReason(t, obj, sourcev1.DependencyBuildErrorReason)

	helmRepository(t, ns, srv)
	ociHelmRepository(t, ns, reg, map[string][]byte{"username": []byte(registryUser), "password": []byte(registryPass)})
	update(t, obj, func() { obj.Spec.Interval.Duration *= 2 }) // a new generation, to try again at once
	waitReady(t, obj)
	_, version, _, deps := loadArtifact(t, obj.Status.Artifact)
	g.Expect(version).To(Equal("0.1.0"))
	g.Expect(deps).To(ConsistOf("web-1.0.3", "db-2.1.0"))
}

// Without a HelmRepository of its URL a public repository is read
// anonymously, and a Chart.lock pins the versions it lists.
func TestGitDependenciesAnonymousAndLocked(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	srv := helmserver.Start(t, helmserver.WithCharts(
		helmserver.Chart{Name: "web", Version: "1.0.0"}, helmserver.Chart{Name: "web", Version: "1.0.3"}))
	chart := "apiVersion: v2\nname: site\nversion: 0.1.0\ndependencies:\n- name: web\n  version: '~1.0.0'\n  repository: " + srv.URL + "\n"
	src := gitSource(t, ns, map[string]string{
		"site/Chart.yaml":   chart,
		"locked/Chart.yaml": strings.Replace(chart, "name: site", "name: locked", 1),
		"locked/Chart.lock": "dependencies:\n- name: web\n  repository: " + srv.URL + "\n  version: 1.0.0\n" +
			"digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\ngenerated: \"2026-01-01T00:00:00Z\"\n",
	})
	open := newChart(ns, sourcev1.GitRepositoryKind, src.Name, "site")
	locked := newChart(ns, sourcev1.GitRepositoryKind, src.Name, "locked")
	create(t, open)
	create(t, locked)
	waitReady(t, open)
	waitReady(t, locked)
	_, _, _, deps := loadArtifact(t, open.Status.Artifact)
	g.Expect(deps).To(Equal([]string{"web-1.0.3"}))
	_, _, _, deps = loadArtifact(t, locked.Status.Artifact)
	g.Expect(deps).To(Equal([]string{"web-1.0.0"}))
	g.Expect(srv.AuthorizedRequests()).To(BeZero())
}
