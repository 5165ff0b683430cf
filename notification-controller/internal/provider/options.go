package provider

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/fluxcd/pkg/runtime/secrets"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/notification-controller/internal/notifier"
)

// maxAddress is the longest address accepted from a Secret, as spec.address.
const maxAddress = 2048

// defaultTimeout is Flux's timeout of a notification when spec.timeout is unset.
const defaultTimeout = 15 * time.Second

// Options reads what the Provider p configures. The token is returned
// apart too, so that it can be masked in errors.
func Options(ctx context.Context, c client.Reader, p *notificationv1beta3.Provider) (notifier.Options, error) {
	o := notifier.Options{
		URL:      p.Spec.Address,
		Channel:  p.Spec.Channel,
		Username: p.Spec.Username,
		Timeout:  defaultTimeout,
		// The change request comment types mark their comment with it.
		ProviderUID: string(p.UID),
	}
	if p.Spec.Timeout != nil {
		o.Timeout = p.Spec.Timeout.Duration
	}
	if p.Spec.ServiceAccountName != "" {
		return o, fmt.Errorf("spec.serviceAccountName (cloud workload identity) is not supported by Tide: use spec.secretRef")
	}
	if p.Spec.Proxy != "" {
		u, err := url.Parse(p.Spec.Proxy)
		if err != nil {
			return o, fmt.Errorf("invalid spec.proxy: %w", err)
		}
		o.Proxy = u
	}
	if p.Spec.SecretRef != nil {
		s, err := get(ctx, c, p.Namespace, p.Spec.SecretRef.Name)
		if err != nil {
			return o, err
		}
		if err := fromSecret(&o, s); err != nil {
			return o, err
		}
	}
	if p.Spec.ProxySecretRef != nil {
		s, err := get(ctx, c, p.Namespace, p.Spec.ProxySecretRef.Name)
		if err != nil {
			return o, err
		}
		if o.Proxy, err = secrets.ProxyURLFromSecret(ctx, s); err != nil {
			return o, fmt.Errorf("spec.proxySecretRef: %w", err)
		}
	}
	if p.Spec.CertSecretRef != nil {
		s, err := get(ctx, c, p.Namespace, p.Spec.CertSecretRef.Name)
		if err != nil {
			return o, err
		}
		if o.TLS, err = secrets.TLSConfigFromSecret(ctx, s); err != nil {
			return o, fmt.Errorf("spec.certSecretRef: %w", err)
		}
	}
	return o, nil
}

// fromSecret reads the keys of spec.secretRef: address, token, username,
// password, headers (a YAML map) and the deprecated proxy.
func fromSecret(o *notifier.Options, s *corev1.Secret) error {
	if v, ok := s.Data["address"]; ok {
		if len(v) > maxAddress {
			return fmt.Errorf("invalid address in secret '%s/%s': longer than %d bytes", s.Namespace, s.Name, maxAddress)
		}
		o.URL = strings.TrimSpace(string(v))
		o.SecretAddress = true
	}
	if v, ok := s.Data["token"]; ok {
		o.Token = strings.TrimSpace(string(v))
	}
	if v, ok := s.Data["username"]; ok {
		o.Username = string(v)
	}
	if v, ok := s.Data["password"]; ok {
		o.Password = string(v)
	}
	if v, ok := s.Data["proxy"]; ok {
		u, err := url.Parse(strings.TrimSpace(string(v)))
		if err != nil {
			return fmt.Errorf("invalid 'proxy' in secret '%s/%s'", s.Namespace, s.Name)
		}
		o.Proxy = u
	}
	if v, ok := s.Data["headers"]; ok {
		headers := map[string]string{}
		if err := yaml.Unmarshal(v, &headers); err != nil {
			return fmt.Errorf("failed to read headers from secret '%s/%s': %w", s.Namespace, s.Name, err)
		}
		o.Headers = headers
	}
	return nil
}

func get(ctx context.Context, c client.Reader, namespace, name string) (*corev1.Secret, error) {
	s := &corev1.Secret{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, s); err != nil {
		return nil, fmt.Errorf("failed to get secret '%s/%s': %w", namespace, name, err)
	}
	return s, nil
}
