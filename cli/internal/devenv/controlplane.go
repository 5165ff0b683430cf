package devenv

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/tidegitops/tide/cli/internal/install"
)

// startControlPlane runs etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler (flags known to work: /work/shared/KUBE-ASSETS.md), and
// writes the admin kubeconfig.
func (e *Env) startControlPlane(ctx context.Context) error {
	creds, err := writeCredentials(e.cfg.Dir)
	if err != nil {
		return err
	}
	e.creds = creds
	etcdURL, err := e.startEtcd(ctx)
	if err != nil {
		return err
	}
	if err := e.startAPIServer(ctx, etcdURL); err != nil {
		return err
	}
	kc := "--kubeconfig=" + creds.kubeconfig
	if _, err := e.start("kube-controller-manager", e.k8sBin("kube-controller-manager"), kc,
		"--authentication-kubeconfig="+creds.kubeconfig, "--authorization-kubeconfig="+creds.kubeconfig,
		"--leader-elect=false", "--secure-port=0", "--service-account-private-key-file="+creds.saKey,
		"--use-service-account-credentials=true", "--cluster-cidr=10.244.0.0/16"); err != nil {
		return err
	}
	if _, err := e.start("kube-scheduler", e.k8sBin("kube-scheduler"), kc, "--leader-elect=false", "--secure-port=0"); err != nil {
		return err
	}
	e.cfg.Out.Success("control plane running: etcd, kube-apiserver, kube-controller-manager, kube-scheduler")
	return nil
}

func (e *Env) startEtcd(ctx context.Context) (string, error) {
	client, err := e.freeAddr()
	if err != nil {
		return "", err
	}
	peer, err := e.freeAddr()
	if err != nil {
		return "", err
	}
	url := "http://" + client
	p, err := e.start("etcd", e.k8sBin("etcd"), "--data-dir="+e.path("etcd"),
		"--listen-client-urls="+url, "--advertise-client-urls="+url,
		"--listen-peer-urls=http://"+peer, "--initial-advertise-peer-urls=http://"+peer,
		"--initial-cluster=default=http://"+peer, "--unsafe-no-fsync=true")
	if err != nil {
		return "", err
	}
	return url, e.waitHealthy(ctx, p, url+"/health", "")
}

func (e *Env) startAPIServer(ctx context.Context, etcdURL string) error {
	addr, err := e.freeAddr()
	if err != nil {
		return err
	}
	_, port, _ := net.SplitHostPort(addr)
	c := e.creds
	p, err := e.start("kube-apiserver", e.k8sBin("kube-apiserver"), "--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1", "--secure-port="+port, "--cert-dir="+c.dir,
		"--token-auth-file="+c.tokenFile, "--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.0.0.0/24", "--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file="+c.saPub, "--service-account-signing-key-file="+c.saKey)
	if err != nil {
		return err
	}
	p.grace = 20 * time.Second
	url := "https://" + addr
	if err := c.writeKubeconfig(url); err != nil {
		return err
	}
	e.Kubeconfig = c.kubeconfig
	return e.waitHealthy(ctx, p, url+"/readyz", c.token)
}

// waitHealthy polls a health endpoint until it answers 200 OK.
func (e *Env) waitHealthy(ctx context.Context, p *process, url, token string) error {
	hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // self-signed, on 127.0.0.1
	}}
	return install.Poll(ctx, e.cfg.Out, e.cfg.Timeout, "starting "+p.name, func(ctx context.Context) (string, error) {
		if !p.running() {
			return "", p.exitError()
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return "", err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err.Error(), nil
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Sprintf("%s answers %s", url, resp.Status), nil
		}
		return "", nil
	})
}
