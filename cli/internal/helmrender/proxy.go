package helmrender

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"k8s.io/client-go/rest"
)

// artifactClient returns the HTTP client that downloads artifacts. The
// source-controller publishes URLs of its in-cluster Service
// (http://source-controller.flux-system.svc.cluster.local./...), which a
// laptop cannot reach: those go through the apiserver's Service proxy,
// with the user's credentials (it needs get on services/proxy). Other URLs
// (a source-controller run outside the cluster, as `tide dev up` runs it)
// are fetched directly.
func artifactClient(config *rest.Config) (*http.Client, error) {
	apiserver, err := rest.TransportFor(config)
	if err != nil {
		return nil, fmt.Errorf("connect to the apiserver: %w", err)
	}
	host, err := url.Parse(config.Host)
	if err != nil {
		return nil, fmt.Errorf("apiserver address %q: %w", config.Host, err)
	}
	if host.Scheme == "" {
		host.Scheme = "https"
	}
	return &http.Client{Transport: &serviceProxy{apiserver: apiserver, base: host, direct: http.DefaultTransport}}, nil
}

type serviceProxy struct {
	apiserver http.RoundTripper
	base      *url.URL
	direct    http.RoundTripper
}

func (p *serviceProxy) RoundTrip(req *http.Request) (*http.Response, error) {
	proxied, ok := proxyURL(p.base, req.URL)
	if !ok {
		return p.direct.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	out.URL = proxied
	out.Host = ""
	return p.apiserver.RoundTrip(out)
}

// proxyURL rewrites a URL of a cluster Service (<service>.<namespace>.svc,
// optionally followed by the cluster domain) into its path on the
// apiserver's Service proxy at base; false for any other URL.
func proxyURL(base, u *url.URL) (*url.URL, bool) {
	host := strings.TrimSuffix(u.Hostname(), ".")
	labels := strings.Split(host, ".")
	if len(labels) < 3 || labels[2] != "svc" || net.ParseIP(host) != nil {
		return nil, false
	}
	service, namespace := labels[0], labels[1]
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443"}[u.Scheme]
		if port == "" {
			port = "80"
		}
	}
	scheme := ""
	if u.Scheme == "https" {
		scheme = "https:"
	}
	out := *base
	out.Path = strings.TrimSuffix(base.Path, "/") +
		fmt.Sprintf("/api/v1/namespaces/%s/services/%s%s:%s/proxy", namespace, scheme, service, port) + u.Path
	out.RawPath = ""
	out.RawQuery = u.RawQuery
	return &out, true
}
