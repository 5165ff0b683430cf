package manager

import (
	"context"
	"net/http"
	"time"

	"k8s.io/client-go/rest"
)

// serverLimitsRequests reports whether the apiserver runs API Priority and
// Fairness (on by default since Kubernetes 1.20): it then answers with its
// flow schema in a header. Such a server protects itself far better than a
// client-side limit does, so the client's own limit can be lifted, as Flux
// does.
func serverLimitsRequests(cfg *rest.Config) bool {
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.Host+"/version", nil)
	if err != nil {
		return false
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.Header.Get("X-Kubernetes-PF-FlowSchema-UID") != "" ||
		resp.Header.Get("X-Kubernetes-PF-PriorityLevel-UID") != ""
}
