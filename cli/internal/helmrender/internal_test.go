package helmrender

import (
	"net/url"
	"testing"
)

// Artifact URLs of a Service in the cluster go through the apiserver's
// Service proxy; other URLs are fetched as they are.
func TestProxyURL(t *testing.T) {
	base, _ := url.Parse("https://10.0.0.1:6443")
	tests := []struct{ in, want string }{
		{"http://source-controller.flux-system.svc.cluster.local./helmchart/apps/apps-podinfo/podinfo-6.5.0.tgz",
			"https://10.0.0.1:6443/api/v1/namespaces/flux-system/services/source-controller:80/proxy/helmchart/apps/apps-podinfo/podinfo-6.5.0.tgz"},
		{"http://source-controller.tide.svc:9090/a.tgz?x=1",
			"https://10.0.0.1:6443/api/v1/namespaces/tide/services/source-controller:9090/proxy/a.tgz?x=1"},
		{"https://charts.flux-system.svc/a.tgz",
			"https://10.0.0.1:6443/api/v1/namespaces/flux-system/services/https:charts:443/proxy/a.tgz"},
		{"http://127.0.0.1:4000/helmchart/a.tgz", ""},
		{"https://example.com/a.tgz", ""},
		{"http://source-controller/a.tgz", ""},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.in)
		got, ok := proxyURL(base, u)
		switch {
		case tt.want == "" && ok:
			t.Errorf("%s: proxied as %s, want direct", tt.in, got)
		case tt.want != "" && (!ok || got.String() != tt.want):
			t.Errorf("%s: got %v (%v), want %s", tt.in, got, ok, tt.want)
		}
	}
}
